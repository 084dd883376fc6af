package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.KernelInputs.gaussian;
import static dev.vecgpt.ops.simd.KernelInputs.run;
import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SIMD layer norm, GELU, softmax and attention kernels against the scalar reference.
 *
 * <p>Tolerances, per element, with u = 2⁻²⁴ (half an ulp of 1). Where a bound has a sum of n terms
 * in it, the SIMD kernel and the reference add in different orders; the worst case for that is
 * 2n·u times the terms' magnitude, but rounding errors of data like these grow as √n·u (30 to 50
 * times less at GPT-2's widths), so the bounds use √n with a constant about twice the largest
 * seen (measured over these tests and a wider sweep; "of the bound" below is the largest
 * difference over all of this class's checks, on AVX-512).
 * <ul>
 *   <li><b>layer norm</b> {@code |Δ| ≤ (2√n + 4)·u·M}, n the row length and
 *       {@code M = |scale|·(mean|x| + |x − mean|)/std + |shift|}: the outputs differ only through
 *       mean and std, as the last step is the reference's operations in its order. Largest: 0.34 of
 *       the bound (about 0.7·√n·u·M, at most 1.3e-6·M).
 *   <li><b>GELU</b> {@code |Δ| ≤ |x|·2⁻²³ + ulp(reference)}, rigorous: the reference's operations in
 *       its order, except tanh, which is within one ulp of {@code (float) Math.tanh} for every float
 *       (checked exhaustively; {@link #expAndTanhAreWithinOneUlpOfMath} samples it). One ulp of tanh
 *       is at most 2⁻²⁴ below 1, and {@code 1 + tanh} may then round either way: at most 2⁻²³ for
 *       both, times 0.5·|x|, plus the final rounding. Largest: 0.66 of the bound; where the two
 *       tanh agree (99.8 % of floats) the outputs are the same bits.
 *   <li><b>softmax</b> {@code |Δ| ≤ (6 + 2√n)·u·out + 2·Float.MIN_VALUE}: exp within one ulp (2u
 *       relative) in numerator and denominator, two roundings of the division, and a sum of n
 *       positive terms in two orders; subnormal outputs get an absolute ulp. Largest: 0.50 of the
 *       bound (about 1.2·√n·u·out, at most 1e-6 absolute).
 *   <li><b>attention scores</b> {@code |Δ| ≤ (2 + 4√d)·u·Σ|q_i·k_i|/√d}: the reference's d products
 *       in its order, fma'd instead of rounding each ({@link #attentionScoresAreTheDocumentedSums}
 *       checks that bit for bit).
 *   <li><b>attention values</b> {@code |Δ| ≤ (2 + 2√S)·u·Σ_s|w_s·v_s|}: the reference's terms in its
 *       order, fma'd instead of rounding each product ({@link #attentionValuesAreFmaChainsInTheReferenceOrder}
 *       checks that bit for bit). Largest: 0.52 of the bound (about 0.8·√S·u·Σ|w·v|).
 * </ul>
 * Everything else is exact: masked scores are −∞, masked weights +0, infinities, signed zeros and
 * NaN of GELU as the reference's, and results are the same bits on every call and for any thread
 * count.
 */
class TransformerKernelsTest {

    private static final double U = 0x1p-24;
    private static final int LANES = SimdKernels.SPECIES.length();

    /** Row lengths around the vector widths (4, 8, 16 lanes) and GPT-2's sizes. */
    static final int[] LENGTHS = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 767, 768, 769, 1024, 3072};
    /** Head widths: below, at and around one and four vectors, and GPT-2's 64. */
    static final int[] HEAD_DIMS = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 80, 128};

    private final Kernels scalar = KernelProvider.byName("scalar");
    private final Kernels simd = new SimdKernels(1);

    static IntStream lengths() {
        return IntStream.of(LENGTHS);
    }

    static IntStream headDims() {
        return IntStream.of(HEAD_DIMS);
    }

    // ------------------------------------------------------------------------------- layer norm

    @ParameterizedTest
    @MethodSource("lengths")
    void layerNormAgreesWithTheReference(int n) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(n);
            checkLayerNorm(arena, gaussian(arena, random, 1.5, 0, 5, n), gaussian(arena, random, 1, 0, n),
                    gaussian(arena, random, 1, 0, n), 1e-5f);
            // An offset large next to the spread: the centring cancels most digits of x.
            checkLayerNorm(arena, gaussian(arena, random, 1, 100, 3, n), gaussian(arena, random, 1, 1, n),
                    gaussian(arena, random, 0.1, 0, n), 1e-5f);
        }
    }

    @Test
    void layerNormAtGpt2Shapes() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(768);
            Tensor scale = gaussian(arena, random, 0.2, 1, 768);
            Tensor shift = gaussian(arena, random, 0.1, 0, 768);
            checkLayerNorm(arena, gaussian(arena, random, 2, 0.1, 2, 128, 768), scale, shift, 1e-5f);
            checkLayerNorm(arena, gaussian(arena, random, 2, 0.1, 1, 1, 768), scale, shift, 1e-5f);
        }
    }

    @Test
    void layerNormOfConstantRowsIsShift() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {1, 16, 17, 768}) {
                Tensor x = TestTensors.filled(arena, 3.25f, 2, n);
                SplittableRandom random = new SplittableRandom(n);
                Tensor scale = gaussian(arena, random, 1, 0, n);
                Tensor shift = gaussian(arena, random, 1, 0, n);
                Tensor out = Tensor.allocate(arena, 2, n);
                simd.layerNorm(x, scale, shift, 1e-5f, out);
                Tensor expected = Tensor.allocate(arena, 2, n);
                scalar.layerNorm(x, scale, shift, 1e-5f, expected);
                assertBitsEqual(expected, out, "constant rows of " + n);
                assertEquals(shift.get(n - 1), out.get(2L * n - 1));
            }
        }
    }

    @Test
    void layerNormInPlace() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(9);
            for (int n : new int[] {17, 768, 769}) {
                Tensor x = gaussian(arena, random, 1, 0.5, 3, n);
                Tensor scale = gaussian(arena, random, 1, 0, n);
                Tensor shift = gaussian(arena, random, 1, 0, n);
                Tensor separate = Tensor.allocate(arena, 3, n);
                simd.layerNorm(x, scale, shift, 1e-5f, separate);
                simd.layerNorm(x, scale, shift, 1e-5f, x);
                assertBitsEqual(separate, x, "in-place layer norm of " + n);
            }
        }
    }

    /** See the class comment. */
    private void checkLayerNorm(Arena arena, Tensor x, Tensor scale, Tensor shift, float eps) {
        int n = scale.shape().dim(0);
        long rows = x.size() / n;
        Tensor expected = Tensor.allocate(arena, x.shape());
        Tensor actual = Tensor.allocate(arena, x.shape());
        scalar.layerNorm(x, scale, shift, eps, expected);
        simd.layerNorm(x, scale, shift, eps, actual);
        float[] xs = x.toArray();
        for (int row = 0; row < rows; row++) {
            int base = row * n;
            double sum = 0;
            double abs = 0;
            for (int i = 0; i < n; i++) {
                sum += xs[base + i];
                abs += Math.abs(xs[base + i]);
            }
            double mean = sum / n;
            double squares = 0;
            for (int i = 0; i < n; i++) {
                squares += (xs[base + i] - mean) * (xs[base + i] - mean);
            }
            double std = Math.sqrt(squares / n + eps);
            for (int i = 0; i < n; i++) {
                double magnitude = Math.abs(scale.get(i)) * (abs / n + Math.abs(xs[base + i] - mean)) / std
                        + Math.abs(shift.get(i));
                expectClose("layerNorm " + x.shape(), base + i, expected, actual, (2 * Math.sqrt(n) + 4) * U * magnitude);
            }
        }
    }

    // ------------------------------------------------------------------------------------- GELU

    @ParameterizedTest
    @MethodSource("lengths")
    void geluAgreesWithTheReference(int n) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(n);
            checkGelu(arena, gaussian(arena, random, 3, 0, 3, n));
        }
    }

    @Test
    void geluAtGpt2ShapesAndOverTheWholeFloatRange() {
        try (Arena arena = Arena.ofConfined()) {
            checkGelu(arena, gaussian(arena, new SplittableRandom(3072), 2, 0, 128, 3072));
            // Every 4099th float: subnormals, the tanh split, saturation, overflow of x³, ±∞ and NaN.
            Tensor x = Tensor.allocate(arena, (int) ((1L << 32) / 4099));
            for (long i = 0; i < x.size(); i++) {
                x.set(i, Float.intBitsToFloat((int) (Integer.MIN_VALUE + i * 4099)));
            }
            checkGelu(arena, x);
        }
    }

    @Test
    void geluInPlace() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = gaussian(arena, new SplittableRandom(4), 3, 0, 5, 77);
            Tensor separate = Tensor.allocate(arena, 5, 77);
            simd.gelu(x, separate);
            simd.gelu(x, x);
            assertBitsEqual(separate, x, "in-place gelu");
        }
    }

    /** See the class comment. NaN must stay NaN, infinities and signed zeros must match exactly. */
    private void checkGelu(Arena arena, Tensor x) {
        Tensor expected = Tensor.allocate(arena, x.shape());
        Tensor actual = Tensor.allocate(arena, x.shape());
        scalar.gelu(x, expected);
        simd.gelu(x, actual);
        for (long i = 0; i < x.size(); i++) {
            float e = expected.get(i);
            if (Float.isNaN(e) || Float.isInfinite(e) || e == 0) {
                if (Float.compare(e, actual.get(i)) != 0) {
                    fail("gelu(" + x.get(i) + "): scalar " + e + ", simd " + actual.get(i));
                }
                continue;
            }
            expectClose("gelu " + x.shape() + " of " + x.get(i), i, expected, actual,
                    Math.abs(x.get(i)) * 0x1p-23 + Math.ulp(e));
        }
    }

    /**
     * The kernels' own exp and tanh: at most one ulp from {@code (float) Math.exp} and
     * {@code (float) Math.tanh} (an exhaustive run over all 2³² floats found no more), and the scalar
     * twins used for a row's last elements give the vector lanes' bits.
     */
    @Test
    void expAndTanhAreWithinOneUlpOfMath() {
        float[] in = new float[LANES];
        float[] vectorExp = new float[LANES];
        float[] vectorTanh = new float[LANES];
        float[] specials = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 88.72283f, 88.72284f, -87.33654f,
                -103.97208f, -103.97209f, -110f, 100f, 0.9f, -0.9f, Math.nextDown(0.9f), 9.01f, 44f, 1e-30f};
        // Every 1021st float (4.2 million, all binades and signs), then the special values.
        long samples = (1L << 32) / 1021;
        int count = 0;
        for (long j = 0; j < samples + specials.length; j += LANES) {
            for (int lane = 0; lane < LANES; lane++) {
                long index = j + lane;
                in[lane] = index < samples ? Float.intBitsToFloat((int) (Integer.MIN_VALUE + index * 1021))
                        : specials[(int) ((index - samples) % specials.length)];
            }
            FloatVector v = FloatVector.fromArray(SimdKernels.SPECIES, in, 0);
            VectorFunctions.exp(v).intoArray(vectorExp, 0);
            VectorFunctions.tanh(v).intoArray(vectorTanh, 0);
            for (int lane = 0; lane < LANES; lane++, count++) {
                float x = in[lane];
                expectWithinOneUlp("exp", x, (float) Math.exp(x), vectorExp[lane]);
                expectWithinOneUlp("tanh", x, (float) Math.tanh(x), vectorTanh[lane]);
                if (Float.floatToIntBits(vectorExp[lane]) != Float.floatToIntBits(VectorFunctions.exp(x))
                        || Float.floatToIntBits(vectorTanh[lane]) != Float.floatToIntBits(VectorFunctions.tanh(x))) {
                    fail("scalar twin differs from the vector lane at " + x);
                }
            }
        }
        assertTrue(count > 4_000_000, "sampled " + count);
        assertEquals(0f, VectorFunctions.exp(Float.NEGATIVE_INFINITY));
        assertEquals(1f, VectorFunctions.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, VectorFunctions.tanh(Float.NEGATIVE_INFINITY));
    }

    private static void expectWithinOneUlp(String f, float x, float reference, float actual) {
        if (Float.isNaN(reference) || Float.isNaN(actual)) {
            if (Float.isNaN(reference) != Float.isNaN(actual)) {
                fail(f + "(" + x + "): " + actual + ", Math gives " + reference);
            }
            return;
        }
        // Distance in ulps: the difference of the two floats' positions on the ordered float line.
        long distance = Math.abs(ordered(reference) - ordered(actual));
        if (distance > 1) {
            fail(f + "(" + x + ") = " + actual + ", Math gives " + reference + ": " + distance + " ulps apart");
        }
    }

    private static long ordered(float f) {
        int bits = Float.floatToIntBits(f);
        return bits < 0 ? -(long) (bits & Integer.MAX_VALUE) : bits;
    }

    // ---------------------------------------------------------------------------------- softmax

    @ParameterizedTest
    @MethodSource("lengths")
    void softmaxAgreesWithTheReference(int n) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(n);
            checkSoftmax(arena, masked(random, gaussian(arena, random, 3, 0, 6, n)));
            checkSoftmax(arena, gaussian(arena, random, 30, 0, 2, n));
        }
    }

    @Test
    void softmaxAtGpt2AttentionShapes() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(64);
            Tensor q = gaussian(arena, random, 1, 0, 2, 64, 768);
            Tensor k = gaussian(arena, random, 1, 0, 2, 64, 768);
            Tensor scores = Tensor.allocate(arena, 2, 12, 64, 64);
            scalar.attentionScores(q, k, 12, scores);
            checkSoftmax(arena, scores);
            Tensor q1 = gaussian(arena, random, 1, 0, 1, 1, 768);
            Tensor k1 = gaussian(arena, random, 1, 0, 1, 1024, 768);
            Tensor decode = Tensor.allocate(arena, 1, 12, 1, 1024);
            scalar.attentionScores(q1, k1, 12, decode);
            checkSoftmax(arena, decode);
        }
    }

    /** The row maximum goes first: ±1000 and −∞ give finite weights, masked ones exactly 0. */
    @Test
    void softmaxIsStableForHugeValuesAndMasks() {
        float inf = Float.NEGATIVE_INFINITY;
        float[][] rows = {
                {1000f, 1000f, inf, 999f},
                {-1000f, -1000f, -1001f, inf},
                {1000f, -1000f, 0f, inf},
                {inf, inf, 5f, inf},
                {88.8f, 89f, 1e30f, -1e30f},
                {Float.MAX_VALUE, -Float.MAX_VALUE, inf, Float.MAX_VALUE},
        };
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {4, 20, 35}) {
                Tensor x = Tensor.allocate(arena, rows.length, n);
                for (int r = 0; r < rows.length; r++) {
                    for (int i = 0; i < n; i++) {
                        // Each pattern spread over the whole row, so that it lands in vector lanes and in the tail.
                        x.set((long) r * n + i, rows[r][i % rows[r].length]);
                    }
                }
                Tensor out = checkSoftmax(arena, x);
                for (long i = 0; i < x.size(); i++) {
                    float w = out.get(i);
                    assertTrue(w >= 0 && w <= 1, "weight " + w + " at " + i);
                    if (x.get(i) == inf) {
                        assertEquals(0f, w, "masked weight at " + i);
                        assertEquals(0, Float.floatToRawIntBits(w), "masked weight is +0 at " + i);
                    }
                }
                // {inf, inf, 5, inf}: all the weight on the 5s, equally.
                float fives = (n + 3) / 4;
                assertEquals(1f / fives, out.get(3L * n + 2), 1e-6f);
            }
        }
    }

    /** A row of −∞ only has no maximum to subtract: NaN, as the reference (−∞ − (−∞) = NaN). */
    @Test
    void softmaxOfAFullyMaskedRowIsNaNAsTheReference() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = TestTensors.filled(arena, Float.NEGATIVE_INFINITY, 2, 19);
            Tensor out = Tensor.allocate(arena, 2, 19);
            Tensor expected = Tensor.allocate(arena, 2, 19);
            scalar.softmax(x, expected);
            simd.softmax(x, out);
            for (long i = 0; i < out.size(); i++) {
                assertTrue(Float.isNaN(expected.get(i)) && Float.isNaN(out.get(i)), "element " + i);
            }
        }
    }

    @Test
    void softmaxInPlace() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(5);
            for (int n : new int[] {1, 17, 1024}) {
                Tensor x = masked(random, gaussian(arena, random, 3, 0, 4, n));
                Tensor separate = Tensor.allocate(arena, 4, n);
                simd.softmax(x, separate);
                simd.softmax(x, x);
                assertBitsEqual(separate, x, "in-place softmax of " + n);
            }
        }
    }

    /** See the class comment; also checks that every row sums to 1 within its rounding. */
    private Tensor checkSoftmax(Arena arena, Tensor x) {
        int n = x.shape().dim(-1);
        Tensor expected = Tensor.allocate(arena, x.shape());
        Tensor actual = Tensor.allocate(arena, x.shape());
        scalar.softmax(x, expected);
        simd.softmax(x, actual);
        double relative = (6 + 2 * Math.sqrt(n)) * U;
        for (long i = 0; i < x.size(); i++) {
            if (x.get(i) == Float.NEGATIVE_INFINITY) {
                assertEquals(0, Float.floatToRawIntBits(actual.get(i)), () -> "masked weight in " + x.shape());
            }
            expectClose("softmax " + x.shape(), i, expected, actual, relative * expected.get(i) + 2 * Float.MIN_VALUE);
        }
        for (long row = 0; row < x.size() / n; row++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += actual.get(row * n + i);
            }
            assertEquals(1, sum, (n + 4) * U, "sum of row " + row);
        }
        return actual;
    }

    /** About one in eight entries −∞, and at least one finite entry per row, as causal masks leave. */
    private static Tensor masked(SplittableRandom random, Tensor x) {
        int n = x.shape().dim(-1);
        for (long i = 0; i < x.size(); i++) {
            if (random.nextInt(8) == 0 && i % n != 0) {
                x.set(i, Float.NEGATIVE_INFINITY);
            }
        }
        return x;
    }

    // ------------------------------------------------------------------------- attention scores

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

    // ------------------------------------------------------------------------- attention values

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

    // --------------------------------------------------------------------- sweeps, determinism

    /** A seeded sweep over 1,000 random small shapes for each of the five kernels. */
    @Test
    void thousandRandomShapesPerKernel() {
        SplittableRandom random = new SplittableRandom(20261126);
        for (int i = 0; i < 1000; i++) {
            try (Arena arena = Arena.ofConfined()) {
                int rows = random.nextInt(1, 5);
                int n = random.nextInt(1, 200);
                checkLayerNorm(arena, gaussian(arena, random, random.nextDouble(0.1, 5), random.nextDouble(-3, 3), rows, n),
                        gaussian(arena, random, 1, 0, n), gaussian(arena, random, 1, 0, n), random.nextBoolean() ? 1e-5f : 0.1f);
                checkGelu(arena, gaussian(arena, random, random.nextDouble(0.1, 6), 0, rows, random.nextInt(1, 300)));
                checkSoftmax(arena, masked(random, gaussian(arena, random, random.nextDouble(0.1, 20), 0, rows, n)));
                int batch = random.nextInt(1, 3);
                int heads = random.nextInt(1, 4);
                int queries = random.nextInt(1, 6);
                int keys = queries + random.nextInt(0, 12);
                int d = random.nextInt(1, 41);
                checkScores(arena, batch, heads, queries, keys, d, random);
                checkValues(arena, batch, heads, queries, keys, d, random);
            }
        }
    }

    /**
     * Rows split over threads: 1, 2 and 3 threads give the same bits. The calls are above every
     * kernel's threshold for splitting (64K elements of layer norm, 1M of softmax and GELU, 4M
     * multiply-adds of attention).
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

    // ---------------------------------------------------------------------------------- helpers

    private static void expectClose(String what, long at, Tensor expected, Tensor actual, double bound) {
        float e = expected.get(at);
        float a = actual.get(at);
        double diff = Math.abs((double) e - a);
        if (!(diff <= bound) && Float.compare(e, a) != 0) {
            fail(what + " at " + at + ": scalar " + e + ", simd " + a + ", |diff| " + diff + " > " + bound);
        }
    }
}
