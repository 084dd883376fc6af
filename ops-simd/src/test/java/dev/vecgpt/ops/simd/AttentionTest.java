package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.KernelInputs.gaussian;
import static dev.vecgpt.ops.simd.TestTensors.expectClose;
import static dev.vecgpt.ops.simd.TestTensors.sweep;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SIMD attention scores and values against the scalar reference, within these bounds per
 * element, with u = 2⁻²⁴ (half an ulp of 1):
 * <ul>
 *   <li><b>scores</b> {@code |Δ| ≤ (2 + 4√d)·u·Σ|q_i·k_i|/√d}: the reference's d products in its
 *       order, fma'd instead of rounding each ({@link #attentionScoresAreTheDocumentedSums} checks
 *       that bit for bit).
 *   <li><b>values</b> {@code |Δ| ≤ (2 + 2√S)·u·Σ_s|w_s·v_s|}: the reference's terms in its order,
 *       fma'd instead of rounding each product ({@link #attentionValuesAreFmaChainsInTheReferenceOrder}
 *       checks that bit for bit). Largest difference seen: 0.52 of the bound (about 0.8·√S·u·Σ|w·v|).
 * </ul>
 * Masked scores are exactly −∞.
 */
class AttentionTest {

    private static final double U = 0x1p-24;
    private static final int LANES = SimdKernels.SPECIES.length();

    /** Head widths: below, at and around one and four vectors, and GPT-2's 64. */
    static final int[] HEAD_DIMS = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 80, 128};

    private final Kernels scalar = KernelProvider.byName("scalar");
    private final Kernels simd = new SimdKernels(1);

    static IntStream headDims() {
        return IntStream.of(HEAD_DIMS);
    }

    @ParameterizedTest(name = "d={0}")
    @MethodSource("headDims")
    void attentionScoresAgreeWithTheReferenceForAnyHeadWidth(int d) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(d);
            checkScores(arena, 2, 3, 5, 9, d, random);   // cached keys: queries at positions 4..8
            checkScores(arena, 1, 2, 7, 7, d, random);   // prefill
            checkScores(arena, 1, 1, 1, 13, d, random);  // decode
        }
    }

    @Test
    void attentionScoresAtGpt2Shapes() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(12);
            checkScores(arena, 2, 12, 64, 64, 64, random);
            checkScores(arena, 1, 12, 1, 1024, 64, random);
        }
    }

    /**
     * Every score is the documented sum, bit for bit: one fma chain over the head's elements in
     * order, from +0, then the product with the scale. Queries 0..3 go through the 4-query tile,
     * the others one at a time, keys two or four vectors at a time or in a masked last vector: all
     * must give these bits.
     */
    @ParameterizedTest(name = "d={0}")
    @MethodSource("headDims")
    void attentionScoresAreTheDocumentedSums(int d) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(100 + d);
            int heads = 2;
            int queries = 6;
            int keys = 5 * LANES + 3;
            int dim = heads * d;
            Tensor q = gaussian(arena, random, 1, 0, 1, queries, dim);
            Tensor k = gaussian(arena, random, 1, 0, 1, keys, dim);
            Tensor scores = Tensor.allocate(arena, 1, heads, queries, keys);
            simd.attentionScores(q, k, heads, scores);
            float scale = (float) (1 / Math.sqrt(d));
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < queries; t++) {
                    for (int s = 0; s < keys; s++) {
                        long at = ((long) h * queries + t) * keys + s;
                        if (s > keys - queries + t) {
                            assertEquals(Float.NEGATIVE_INFINITY, scores.get(at));
                            continue;
                        }
                        float dot = 0f;
                        for (int i = 0; i < d; i++) {
                            dot = Math.fma(q.get(0, t, h * d + i), k.get(0, s, h * d + i), dot);
                        }
                        assertEquals(Float.floatToIntBits(dot * scale), Float.floatToIntBits(scores.get(at)),
                                "d=" + d + " h=" + h + " t=" + t + " s=" + s);
                    }
                }
            }
        }
    }

    /** See the class comment; masked scores must be exactly −∞. */
    private void checkScores(Arena arena, int batch, int heads, int queries, int keys, int d, SplittableRandom random) {
        int dim = heads * d;
        Tensor q = gaussian(arena, random, 1, 0, batch, queries, dim);
        Tensor k = gaussian(arena, random, 1, 0, batch, keys, dim);
        Tensor expected = Tensor.allocate(arena, batch, heads, queries, keys);
        Tensor actual = Tensor.allocate(arena, batch, heads, queries, keys);
        scalar.attentionScores(q, k, heads, expected);
        simd.attentionScores(q, k, heads, actual);
        float[] qs = q.toArray();
        float[] ks = k.toArray();
        double factor = (2 + 4 * Math.sqrt(d)) * U / Math.sqrt(d);
        String what = "scores B=" + batch + " H=" + heads + " T=" + queries + " S=" + keys + " d=" + d;
        long at = 0;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < queries; t++) {
                    for (int s = 0; s < keys; s++, at++) {
                        if (s > keys - queries + t) {
                            assertEquals(Float.NEGATIVE_INFINITY, actual.get(at), what);
                            continue;
                        }
                        int qBase = (b * queries + t) * dim + h * d;
                        int kBase = (b * keys + s) * dim + h * d;
                        double magnitude = 0;
                        for (int i = 0; i < d; i++) {
                            magnitude += Math.abs((double) qs[qBase + i] * ks[kBase + i]);
                        }
                        expectClose(what, at, expected, actual, factor * magnitude);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "d={0}")
    @MethodSource("headDims")
    void attentionValuesAgreeWithTheReferenceForAnyHeadWidth(int d) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(d);
            checkValues(arena, 2, 3, 5, 9, d, random);
            checkValues(arena, 1, 1, 1, 13, d, random);
        }
    }

    @Test
    void attentionValuesAtGpt2Shapes() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(13);
            checkValues(arena, 2, 12, 64, 64, 64, random);
            checkValues(arena, 1, 12, 1, 1024, 64, random);
        }
    }

    /**
     * Each output is one fma chain over s = 0, 1, … from zero, in vector lanes and scalar tail alike:
     * the reference's terms in its order, only without rounding each product.
     */
    @ParameterizedTest(name = "d={0}")
    @MethodSource("headDims")
    void attentionValuesAreFmaChainsInTheReferenceOrder(int d) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(200 + d);
            int heads = 3;
            int queries = 2;
            int keys = 7;
            int dim = heads * d;
            Tensor w = weights(arena, random, 2, heads, queries, keys);
            Tensor v = gaussian(arena, random, 1, 0, 2, keys, dim);
            Tensor out = Tensor.allocate(arena, 2, queries, dim);
            simd.attentionValues(w, v, heads, out);
            for (int b = 0; b < 2; b++) {
                for (int h = 0; h < heads; h++) {
                    for (int t = 0; t < queries; t++) {
                        for (int i = 0; i < d; i++) {
                            float sum = 0f;
                            for (int s = 0; s < keys; s++) {
                                sum = Math.fma(w.get(b, h, t, s), v.get(b, s, h * d + i), sum);
                            }
                            assertEquals(Float.floatToIntBits(sum), Float.floatToIntBits(out.get(b, t, h * d + i)),
                                    "d=" + d + " b=" + b + " h=" + h + " t=" + t + " i=" + i);
                        }
                    }
                }
            }
        }
    }

    /** See the class comment. */
    private void checkValues(Arena arena, int batch, int heads, int queries, int keys, int d, SplittableRandom random) {
        int dim = heads * d;
        Tensor w = weights(arena, random, batch, heads, queries, keys);
        Tensor v = gaussian(arena, random, 1, 0, batch, keys, dim);
        Tensor expected = Tensor.allocate(arena, batch, queries, dim);
        Tensor actual = Tensor.allocate(arena, batch, queries, dim);
        scalar.attentionValues(w, v, heads, expected);
        simd.attentionValues(w, v, heads, actual);
        float[] ws = w.toArray();
        float[] vs = v.toArray();
        double factor = (2 + 2 * Math.sqrt(keys)) * U;
        String what = "values B=" + batch + " H=" + heads + " T=" + queries + " S=" + keys + " d=" + d;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < queries; t++) {
                for (int h = 0; h < heads; h++) {
                    for (int i = 0; i < d; i++) {
                        double magnitude = 0;
                        for (int s = 0; s < keys; s++) {
                            magnitude += Math.abs((double) ws[((b * heads + h) * queries + t) * keys + s]
                                    * vs[(b * keys + s) * dim + h * d + i]);
                        }
                        expectClose(what, ((long) b * queries + t) * dim + h * d + i, expected, actual, factor * magnitude);
                    }
                }
            }
        }
    }

    /** Causal attention weights: softmax of random scores with the future masked, by the reference. */
    private Tensor weights(Arena arena, SplittableRandom random, int batch, int heads, int queries, int keys) {
        int d = 1 + random.nextInt(8);
        Tensor q = gaussian(arena, random, 1.5, 0, batch, queries, heads * d);
        Tensor k = gaussian(arena, random, 1.5, 0, batch, keys, heads * d);
        Tensor scores = Tensor.allocate(arena, batch, heads, queries, keys);
        scalar.attentionScores(q, k, heads, scores);
        Tensor w = Tensor.allocate(arena, batch, heads, queries, keys);
        scalar.softmax(scores, w);
        return w;
    }

    /** A seeded sweep over 1,000 random small shapes of both kernels. */
    @Test
    void thousandRandomShapes() {
        sweep(20261128, 1000, (arena, random) -> {
            int batch = random.nextInt(1, 3);
            int heads = random.nextInt(1, 4);
            int queries = random.nextInt(1, 6);
            int keys = queries + random.nextInt(0, 12);
            int d = random.nextInt(1, 41);
            checkScores(arena, batch, heads, queries, keys, d, random);
            checkValues(arena, batch, heads, queries, keys, d, random);
        });
    }
}
