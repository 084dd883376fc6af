package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Kernels with threads of their own stop them on close; the JVM-wide kernels cannot be closed. */
class KernelsLifecycleTest {

    private static long poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("vecgpt-") && t.isAlive()).count();
    }

    @Test
    void hundredCreateUseCloseCyclesLeaveNoThreads() {
        long before = poolThreads();
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(1);
            Tensor x = random(arena, random, 2, 256);
            Tensor w = random(arena, random, 1024, 256);
            Tensor expected = Tensor.allocate(arena, 2, 1024);
            new SimdKernels(1).matmul(x, w, expected);
            for (int i = 0; i < 100; i++) {
                try (Kernels base = KernelProvider.byName("simd"); Kernels kernels = base.withThreads(2 + i % 3)) {
                    Tensor y = Tensor.allocate(arena, 2, 1024);
                    kernels.matmul(x, kernels.pack(w, arena), y); // 2^19 multiply-adds: split over the workers
                    assertBitsEqual(expected, y, "cycle " + i);
                }
            }
        }
        assertEquals(before, poolThreads(), "worker threads left running");
    }

    @Test
    void closeStopsThePoolsThreadsAndIsIdempotent() {
        long before = poolThreads();
        for (int i = 0; i < 100; i++) {
            Kernels kernels = new SimdKernels(3);
            kernels.close();
            kernels.close();
        }
        assertEquals(before, poolThreads());
    }

    @Test
    void theSharedKernelsIgnoreClose() {
        Kernels shared = KernelProvider.kernels();
        shared.close();
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(2);
            Tensor x = random(arena, random, 4, 512);
            Tensor w = random(arena, random, 512, 512);
            Tensor y = Tensor.allocate(arena, 4, 512);
            shared.matmul(x, shared.pack(w, arena), y); // still works
        }
    }

    @Test
    void closedKernelsRefuseWorkForTheirThreads() {
        SimdKernels kernels = new SimdKernels(2);
        kernels.close();
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(3);
            Tensor x = random(arena, random, 4, 512);
            Tensor w = random(arena, random, 512, 512);
            Tensor y = Tensor.allocate(arena, 4, 512);
            assertThrows(IllegalStateException.class, () -> kernels.matmul(x, kernels.pack(w, arena), y));
        }
    }
}
