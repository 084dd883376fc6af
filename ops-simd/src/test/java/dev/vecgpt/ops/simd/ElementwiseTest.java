package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.random;
import static dev.vecgpt.ops.simd.TestTensors.sweep;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The SIMD add against the scalar reference, bit for bit: one float32 addition per element. */
class ElementwiseTest {

    private final Kernels scalar = KernelProvider.byName("scalar");
    private final Kernels simd = new SimdKernels();

    @ParameterizedTest
    @MethodSource("dev.vecgpt.ops.simd.KernelInputs#lengths")
    void addIsBitExactForEqualShapes(int dim) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(dim);
            checkAdd(arena, random(arena, random, 3, dim), random(arena, random, 3, dim));
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vecgpt.ops.simd.KernelInputs#lengths")
    void addIsBitExactWhenBroadcasting(int dim) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(dim);
            checkAdd(arena, random(arena, random, 2, 5, dim), random(arena, random, 5, dim));
            checkAdd(arena, random(arena, random, 3, dim), random(arena, random, dim));
        }
    }

    @Test
    void addAtGpt2Shapes() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(2);
            checkAdd(arena, random(arena, random, 2, 4, 768), random(arena, random, 4, 768));
            checkAdd(arena, random(arena, random, 8, 1024, 768), random(arena, random, 1024, 768));
            checkAdd(arena, random(arena, random, 1, 50257), random(arena, random, 1, 50257));
        }
    }

    @Test
    void addInPlace() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(3);
            Tensor a = random(arena, random, 2, 4, 769);
            Tensor b = random(arena, random, 4, 769);
            Tensor expected = Tensor.allocate(arena, 2, 4, 769);
            scalar.add(a, b, expected);
            simd.add(a, b, a);
            assertBitsEqual(expected, a, "in-place add");
        }
    }

    /**
     * Prompt-sized adds, which the kernel splits over its threads, on 1 to 3 threads against the
     * reference, bit for bit: of a tensor as large as a, of a bias per row and of a period that the
     * parts cut in the middle, in place too.
     */
    @Test
    void promptSizedAddsAreBitExactOnAnyThreadCount() {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(9);
            Tensor a = random(arena, random, 2, 1000, 769);
            Tensor[] others = {random(arena, random, 2, 1000, 769), random(arena, random, 769),
                    random(arena, random, 1000, 769)};
            for (int threads = 1; threads <= 3; threads++) {
                try (SimdKernels split = new SimdKernels(threads)) {
                    for (Tensor b : others) {
                        Tensor expected = Tensor.allocate(arena, a.shape());
                        scalar.add(a, b, expected);
                        Tensor actual = Tensor.allocate(arena, a.shape());
                        split.add(a, b, actual);
                        assertBitsEqual(expected, actual, threads + " threads, + " + b.shape());
                        MemorySegment.copy(a.segment(), 0, actual.segment(), 0, a.segment().byteSize());
                        split.add(actual, b, actual);
                        assertBitsEqual(expected, actual, threads + " threads, + " + b.shape() + " in place");
                    }
                }
            }
        }
    }

    private void checkAdd(Arena arena, Tensor a, Tensor b) {
        Tensor expected = Tensor.allocate(arena, a.shape());
        Tensor actual = Tensor.allocate(arena, a.shape());
        scalar.add(a, b, expected);
        simd.add(a, b, actual);
        assertBitsEqual(expected, actual, "add " + a.shape() + " + " + b.shape());
        assertEquals(a.get(a.size() - 1) + b.get(b.size() - 1), actual.get(actual.size() - 1));
    }

    /** A seeded sweep over 1,000 random shapes, broadcast or not. */
    @Test
    void thousandRandomShapes() {
        sweep(20261129, 1000, (arena, random) -> {
            int dim = random.nextInt(1, 300);
            Tensor b = random(arena, random, random.nextInt(1, 5), dim);
            Tensor a = random(arena, random, random.nextInt(1, 4), b.shape().dim(0), dim);
            checkAdd(arena, a, random.nextBoolean() ? b : random(arena, random, a.shape().dims()));
        });
    }
}
