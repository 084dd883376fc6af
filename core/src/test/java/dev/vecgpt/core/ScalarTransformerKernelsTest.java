package dev.vecgpt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** The transformer's reference kernels on small cases, expected values from the formulas in double. */
class ScalarTransformerKernelsTest {

    private final Kernels kernels = new CheckedKernels(new ScalarKernels(), true);

    @Test
    void layerNormNormalizesEachRow() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, Shape.of(2, 4), 1, 2, 3, 4, -2, -2, 2, 2);
            Tensor scale = Tensor.of(arena, Shape.of(4), 1, 1, 2, 1);
            Tensor shift = Tensor.of(arena, Shape.of(4), 0, 0, 0, 10);
            Tensor out = Tensor.allocate(arena, 2, 4);
            kernels.layerNorm(x, scale, shift, 1e-5f, out);
            double sd = Math.sqrt(1.25 + 1e-5); // row 0: mean 2.5, biased variance 1.25
            double sd1 = Math.sqrt(4 + 1e-5);   // row 1: mean 0, variance 4
            double[] expected = {-1.5 / sd, -0.5 / sd, 2 * 0.5 / sd, 1.5 / sd + 10, -2 / sd1, -2 / sd1, 2 * 2 / sd1, 2 / sd1 + 10};
            for (int i = 0; i < 8; i++) {
                assertEquals(expected[i], out.get(i), 1e-6, "element " + i);
            }
        }
    }

    @Test
    void geluIsTheTanhApproximation() {
        try (Arena arena = Arena.ofConfined()) {
            float[] xs = {-3, -1, -0.5f, 0, 0.5f, 1, 3};
            Tensor x = Tensor.of(arena, Shape.of(7), xs);
            kernels.gelu(x, x);
            for (int i = 0; i < xs.length; i++) {
                double v = xs[i];
                double expected = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                assertEquals(expected, x.get(i), 1e-6, "gelu(" + v + ")");
            }
        }
    }

    @Test
    void softmaxIsStableAndMasked() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, Shape.of(2, 3), 1, 2, 3, 1000, Float.NEGATIVE_INFINITY, 1000);
            kernels.softmax(x, x);
            double e = Math.exp(1), z = 1 + e + e * e;
            assertEquals(1 / z, x.get(0), 1e-7);
            assertEquals(e / z, x.get(1), 1e-7);
            assertEquals(e * e / z, x.get(2), 1e-7);
            assertArrayEquals(new float[] {0.5f, 0f, 0.5f}, x.row(1).toArray());
        }
    }

    /** One batch, two heads of width 2, three positions: scores, mask, weights and values by hand. */
    @Test
    void causalAttention() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = Tensor.of(arena, Shape.of(1, 2, 4), 1, 0, 0, 2, 0, 1, 1, 1);
            Tensor k = Tensor.of(arena, Shape.of(1, 3, 4), 1, 1, 0, 0, 2, 0, 1, 0, 0, 4, 0, 1);
            Tensor scores = Tensor.allocate(arena, 1, 2, 2, 3);
            kernels.attentionScores(q, k, 2, scores);
            float r = (float) (1 / Math.sqrt(2));
            float inf = Float.NEGATIVE_INFINITY;
            // two queries at positions 1 and 2 of three keys: query 0 sees keys 0-1, query 1 sees all
            assertArrayEquals(new float[] {1 * r, 2 * r, inf, 1 * r, 0, 4 * r,   // head 0
                                           0, 0, inf, 0, 1 * r, 1 * r},           // head 1
                    scores.toArray(), 1e-7f);
            Tensor weights = Tensor.of(arena, Shape.of(1, 2, 2, 3), 0.5f, 0.5f, 0, 0.25f, 0.25f, 0.5f, 1, 0, 0, 0, 0, 1);
            Tensor v = Tensor.of(arena, Shape.of(1, 3, 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
            Tensor out = Tensor.allocate(arena, 1, 2, 4);
            kernels.attentionValues(weights, v, 2, out);
            assertArrayEquals(new float[] {3, 4, 3, 4, 6, 7, 11, 12}, out.toArray(), 1e-6f);
        }
    }
}
