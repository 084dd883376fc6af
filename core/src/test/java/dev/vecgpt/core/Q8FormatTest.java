package dev.vecgpt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Q8_0: per block of 32 along k, scale = max|w| / 127 and q = round(w / scale); the kernels multiply
 * by w' = q · scale. What it costs in accuracy: |w − w'| ≤ scale / 2 (+ half an ulp of w' for the
 * float32 product), i.e. at most 1/254 of the block's largest magnitude.
 */
class Q8FormatTest {

    @Test
    void errorIsAtMostHalfAScalePerWeight() {
        SplittableRandom random = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            for (int k : new int[] {1, 5, 31, 32, 33, 64, 100, 768, 3072}) {
                Tensor w = Tensor.allocate(arena, 3, k);
                for (long i = 0; i < w.size(); i++) {
                    // Mixed magnitudes, as real weights have outliers.
                    double magnitude = random.nextInt(10) == 0 ? 3 : 0.05;
                    w.set(i, (float) ((random.nextDouble() * 2 - 1) * magnitude));
                }
                Tensor rounded = Tensor.allocate(arena, 3, k);
                for (int row = 0; row < 3; row++) {
                    WeightFormat.roundRowToQ8(w, rounded, (long) row * k, k);
                }
                for (int row = 0; row < 3; row++) {
                    for (int b = 0; b < k; b += WeightFormat.Q8_BLOCK) {
                        int end = Math.min(k, b + WeightFormat.Q8_BLOCK);
                        float maxAbs = 0;
                        for (int i = b; i < end; i++) {
                            maxAbs = Math.max(maxAbs, Math.abs(w.get(row, i)));
                        }
                        float scale = WeightFormat.q8Scale(maxAbs);
                        for (int i = b; i < end; i++) {
                            float error = Math.abs(w.get(row, i) - rounded.get(row, i));
                            float bound = scale / 2 + Math.ulp(rounded.get(row, i)) / 2;
                            assertTrue(error <= bound, "K=" + k + " [" + row + ", " + i + "]: error " + error + " > " + bound);
                        }
                    }
                }
            }
        }
    }

    @Test
    void blockExtremesAreExactAndCodesStayInRange() {
        float scale = WeightFormat.q8Scale(2.54f);
        assertEquals(127, WeightFormat.q8Quantize(2.54f, scale));
        assertEquals(-127, WeightFormat.q8Quantize(-2.54f, scale));
        assertEquals(0, WeightFormat.q8Quantize(0f, scale));
        assertEquals(127, WeightFormat.q8Quantize(1e30f, scale)); // clamped, never wraps around
        assertEquals(0, WeightFormat.q8Quantize(1f, 0f));          // an all-zero block
        assertEquals(0f, WeightFormat.dequantizeQ8((byte) 5, 0f));
        assertEquals(5 * scale, WeightFormat.dequantizeQ8((byte) 5, scale));
    }

    @Test
    void scalarPackIsTheDequantizedWeight() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(arena, 2, 40);
            for (long i = 0; i < w.size(); i++) {
                w.set(i, (float) Math.sin(i));
            }
            Tensor expected = Tensor.allocate(arena, 2, 40);
            WeightFormat.roundRowToQ8(w, expected, 0, 40);
            WeightFormat.roundRowToQ8(w, expected, 40, 40);
            Tensor unpacked = new ScalarKernels().pack(w, WeightFormat.Q8_0, arena).unpack(arena);
            assertEquals(-1, expected.segment().mismatch(unpacked.segment()));
        }
    }
}
