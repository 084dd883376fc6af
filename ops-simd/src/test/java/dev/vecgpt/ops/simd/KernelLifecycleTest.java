package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Kernels with threads of their own release them when closed; the JVM's shared kernels ignore close(). */
class KernelLifecycleTest {

    @Test
    void aHundredKernelsWithTheirOwnThreadsLeaveTheThreadCountWhereItWas() throws InterruptedException {
        int before = liveThreads();
        int most = before;
        for (int i = 0; i < 100; i++) {
            try (Kernels kernels = KernelProvider.byName("simd").withThreads(3); Arena arena = Arena.ofShared()) {
                Tensor x = Tensor.allocate(arena, 16, 256);
                Tensor w = Tensor.allocate(arena, 4096, 256);
                kernels.matmul(x, kernels.pack(w, arena), Tensor.allocate(arena, 16, 4096)); // big enough to use the workers
                most = Math.max(most, liveThreads());
            }
        }
        assertTrue(most > before, "the kernels started threads of their own");
        assertEquals(before, settledThreadCount(before));
    }

    @Test
    void closingTheSharedKernelsDoesNothing() {
        Kernels shared = KernelProvider.kernels();
        shared.close();
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.allocate(arena, 16, 256);
            shared.matmul(x, shared.pack(Tensor.allocate(arena, 4096, 256), arena), Tensor.allocate(arena, 16, 4096));
        }
    }

    private static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** A thread that has ended may still be counted for a moment. */
    private static int settledThreadCount(int expected) throws InterruptedException {
        for (int i = 0; i < 200 && liveThreads() != expected; i++) {
            Thread.sleep(10);
        }
        return liveThreads();
    }
}
