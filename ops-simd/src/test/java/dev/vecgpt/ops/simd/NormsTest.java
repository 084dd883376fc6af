package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.KernelInputs.gaussian;
import static dev.vecgpt.ops.simd.KernelInputs.masked;
import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.expectClose;
import static dev.vecgpt.ops.simd.TestTensors.sweep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SIMD layer norm and softmax against the scalar reference, within these bounds per element,
 * with u = 2⁻²⁴ (half an ulp of 1). Their sums of n terms add in another order than the reference;
 * the worst case for that is 2n·u times the terms' magnitude, but rounding errors of data like these
 * grow as √n·u, so the bounds use √n with a constant about twice the largest seen ("of the bound"
 * below is the largest difference over this class's checks, on AVX-512).
 * <ul>
 *   <li><b>layer norm</b> {@code |Δ| ≤ (2√n + 4)·u·M}, n the row length and
 *       {@code M = |scale|·(mean|x| + |x − mean|)/std + |shift|}: the outputs differ only through
 *       mean and std, as the last step is the reference's operations in its order. Largest: 0.34 of
 *       the bound (about 0.7·√n·u·M, at most 1.3e-6·M).
 *   <li><b>softmax</b> {@code |Δ| ≤ (6 + 2√n)·u·out + 2·Float.MIN_VALUE}: exp within one ulp (2u
 *       relative) in numerator and denominator, two roundings of the division, and a sum of n
 *       positive terms in two orders; subnormal outputs get an absolute ulp. Largest: 0.50 of the
 *       bound (about 1.2·√n·u·out, at most 1e-6 absolute).
 * </ul>
 * Masked weights are exactly +0.
 */
class NormsTest {

    private static final double U = 0x1p-24;

    private final Kernels scalar = KernelProvider.byName("scalar");
    private final Kernels simd = new SimdKernels(1);

    @ParameterizedTest
    @MethodSource("dev.vecgpt.ops.simd.KernelInputs#lengths")
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

    @ParameterizedTest
    @MethodSource("dev.vecgpt.ops.simd.KernelInputs#lengths")
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

    /** A seeded sweep over 1,000 random small shapes of each kernel. */
    @Test
    void thousandRandomShapes() {
        sweep(20261126, 1000, (arena, random) -> {
            int rows = random.nextInt(1, 5);
            int n = random.nextInt(1, 200);
            checkLayerNorm(arena, gaussian(arena, random, random.nextDouble(0.1, 5), random.nextDouble(-3, 3), rows, n),
                    gaussian(arena, random, 1, 0, n), gaussian(arena, random, 1, 0, n), random.nextBoolean() ? 1e-5f : 0.1f);
            checkSoftmax(arena, masked(random, gaussian(arena, random, random.nextDouble(0.1, 20), 0, rows, n)));
        });
    }
}
