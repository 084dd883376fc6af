package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.KernelInputs.gaussian;
import static dev.vecgpt.ops.simd.KernelInputs.run;
import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The transformer kernels give the same bits on every call (whatever the JIT has compiled so far) and
 * for any thread count.
 */
class DeterminismTest {

    private final Kernels simd = new SimdKernels(1);

    /**
     * Rows and heads split over threads: 1, 2 and 3 threads give the same bits. The calls are above
     * every kernel's size for splitting ({@link WorkerPool.Work}: 64K elements, 4M multiply-adds of
     * attention).
     */
    @Test
    void resultsAreBitwiseIdenticalForAnyThreadCount() {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(21);
            Tensor x = gaussian(arena, random, 2, 0, 5500, 769);
            Tensor scale = gaussian(arena, random, 1, 0, 769);
            Tensor shift = gaussian(arena, random, 1, 0, 769);
            Tensor q = gaussian(arena, random, 1, 0, 1, 512, 4 * 64);
            Tensor k = gaussian(arena, random, 1, 0, 1, 512, 4 * 64);
            Tensor v = gaussian(arena, random, 1, 0, 1, 512, 4 * 64);
            Tensor[] one = run(new SimdKernels(1), arena, x, scale, shift, q, k, v);
            for (int threads : new int[] {2, 3}) {
                Tensor[] many = run(new SimdKernels(threads), arena, x, scale, shift, q, k, v);
                for (int i = 0; i < one.length; i++) {
                    assertBitsEqual(one[i], many[i], threads + " threads, output " + i);
                }
            }
        }
    }

    /**
     * The kernels' sums avoid {@code reduceLanes(ADD)} and SVML, whose results change when C2
     * compiles the code: the first call and the 300th give the same bits, for GPT-2's head width and
     * for widths with a partial vector. ({@link JitTierTest} also compares with JVMs that only
     * interpret or stop at C1: the first calls here may already be compiled.)
     */
    @Test
    void everyKernelIsDeterministic() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(22);
            Tensor x = gaussian(arena, random, 2, 0, 3, 771);
            Tensor scale = gaussian(arena, random, 1, 0, 771);
            Tensor shift = gaussian(arena, random, 1, 0, 771);
            Tensor q = gaussian(arena, random, 1, 0, 1, 9, 2 * 67);
            Tensor k = gaussian(arena, random, 1, 0, 1, 13, 2 * 67);
            Tensor v = gaussian(arena, random, 1, 0, 1, 13, 2 * 67);
            Tensor[] first = run(simd, arena, x, scale, shift, q, k, v);
            String firstDigests = TierProbe.digests(simd);
            for (int call = 0; call < 300; call++) {
                Tensor[] again = run(simd, arena, x, scale, shift, q, k, v);
                for (int i = 0; i < first.length; i++) {
                    assertBitsEqual(first[i], again[i], "call " + call + ", output " + i);
                }
                assertEquals(firstDigests, TierProbe.digests(simd), "call " + call + " of the probe's inputs");
            }
        }
    }
}
