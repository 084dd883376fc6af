package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.KernelInputs.gaussian;
import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@code transposeInto}: a copy, so the reference's bits, into the columns it names only. */
class TransposeTest {

    private final Kernels scalar = KernelProvider.byName("scalar");

    /**
     * Prompt-sized keys, which the kernel splits over its threads, transposed into columns
     * {@code [7, 340)} of a wider buffer on 1 to 3 threads: the reference's bits, and the other
     * columns stay as they were.
     */
    @Test
    void promptSizedTransposesAreBitExactOnAnyThreadCount() {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(9);
            Tensor x = random(arena, random, 2, 333, 100);
            Tensor expected = Tensor.allocate(arena, 2, 100, 350);
            expected.segment().fill((byte) 0x7f);
            scalar.transposeInto(x, expected, 7);
            for (int threads = 1; threads <= 3; threads++) {
                try (SimdKernels split = new SimdKernels(threads)) {
                    Tensor actual = Tensor.allocate(arena, 2, 100, 350);
                    actual.segment().fill((byte) 0x7f);
                    split.transposeInto(x, actual, 7);
                    assertBitsEqual(expected, actual, threads + " threads");
                }
            }
        }
    }

    /** Rows of x become columns {@code [at, at + T)} of xT, for both kernel sets; the other columns stay. */
    @Test
    void transposeIntoWritesItsColumnsOnly() {
        try (Arena arena = Arena.ofShared(); SimdKernels simd = new SimdKernels(2)) {
            SplittableRandom random = new SplittableRandom(24);
            Tensor x = gaussian(arena, random, 1, 0, 2, 5, 7);
            for (Kernels kernels : new Kernels[] {scalar, simd}) {
                Tensor xT = Tensor.allocate(arena, 2, 7, 16);
                xT.segment().fill((byte) 0x7f);
                kernels.transposeInto(x, xT, 9);
                for (int b = 0; b < 2; b++) {
                    for (int i = 0; i < 7; i++) {
                        for (int s = 0; s < 16; s++) {
                            long at = ((long) b * 7 + i) * 16 + s;
                            float expected = s >= 9 && s < 14 ? x.get(b, s - 9, i) : Float.intBitsToFloat(0x7f7f7f7f);
                            assertEquals(Float.floatToRawIntBits(expected),
                                    Float.floatToRawIntBits(xT.get(at)), kernels.name() + " b=" + b + " i=" + i + " s=" + s);
                        }
                    }
                }
            }
        }
    }
}
