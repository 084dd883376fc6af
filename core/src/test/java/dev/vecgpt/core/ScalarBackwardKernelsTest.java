package dev.vecgpt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The reference backward kernels against the gradients of their forwards: linear ones against the
 * formula summed in double, the others against central finite differences of the forward written in
 * double here, of {@code L = Σ r · f(x)} for a random upstream gradient r.
 */
class ScalarBackwardKernelsTest {

    private final Kernels kernels = new CheckedKernels(new ScalarKernels(), true);
    private final Random random = new Random(42);

    private double[] randoms(int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * random.nextGaussian();
        }
        return v;
    }

    private static Tensor tensor(Arena arena, Shape shape, double[] values) {
        Tensor t = Tensor.allocate(arena, shape);
        for (int i = 0; i < values.length; i++) {
            t.set(i, (float) values[i]);
        }
        return t;
    }

    /** ∂f/∂x by central differences in double. */
    private static double[] numeric(ToDoubleFunction<double[]> f, double[] x) {
        double[] grad = new double[x.length];
        double h = 1e-5;
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double up = f.applyAsDouble(x);
            x[i] = keep - h;
            double down = f.applyAsDouble(x);
            x[i] = keep;
            grad[i] = (up - down) / (2 * h);
        }
        return grad;
    }

    /** Every element within {@code tolerance} of the largest |expected|. */
    private static void assertClose(String what, double[] expected, Tensor got, double tolerance) {
        double scale = 1e-30;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got.get(i), tolerance * scale, what + " element " + i);
        }
    }

    @Test
    void embeddingBackwardAddsEachRowToItsIdsRowRepeatsIncluded() {
        try (Arena arena = Arena.ofConfined()) {
            int[] ids = {3, 1, 3, 0, 3};
            double[] dOut = randoms(ids.length * 4, 1);
            double[] before = randoms(5 * 4, 1);
            Tensor dTable = tensor(arena, Shape.of(5, 4), before);
            kernels.embeddingBackward(tensor(arena, Shape.of(ids.length, 4), dOut), ids, dTable);
            double[] expected = before.clone();
            for (int i = 0; i < ids.length; i++) {
                for (int d = 0; d < 4; d++) {
                    expected[ids[i] * 4 + d] += (float) dOut[i * 4 + d];
                }
            }
            assertClose("dTable", expected, dTable, 1e-6);
            assertEquals((float) before[2 * 4], dTable.get(2 * 4), "a row no id names is left alone");
        }
    }

    @Test
    void matmulBackwardGivesTheInputsWeightsAndBiasGradients() {
        int m = 5, n = 3, k = 7;
        try (Arena arena = Arena.ofConfined()) {
            double[] x = randoms(m * k, 1), w = randoms(n * k, 1), dy = randoms(m * n, 1);
            double[] dwBefore = randoms(n * k, 1), dbBefore = randoms(n, 1);
            Tensor dx = Tensor.allocate(arena, 1, m, k); // leading dimensions flatten into M
            Tensor dw = tensor(arena, Shape.of(n, k), dwBefore);
            Tensor db = tensor(arena, Shape.of(n), dbBefore);
            Tensor dyT = tensor(arena, Shape.of(1, m, n), dy);
            kernels.matmulBackwardInput(dyT, tensor(arena, Shape.of(n, k), w), dx);
            kernels.matmulBackwardWeight(dyT, tensor(arena, Shape.of(1, m, k), x), dw);
            kernels.biasBackward(dyT, db);
            double[] ex = new double[m * k], ew = dwBefore.clone(), eb = dbBefore.clone();
            for (int r = 0; r < m; r++) {
                for (int o = 0; o < n; o++) {
                    double g = (float) dy[r * n + o];
                    eb[o] += g;
                    for (int i = 0; i < k; i++) {
                        ex[r * k + i] += g * (float) w[o * k + i];
                        ew[o * k + i] += g * (float) x[r * k + i];
                    }
                }
            }
            assertClose("dx", ex, dx, 1e-6);
            assertClose("dw (added to what was there)", ew, dw, 1e-6);
            assertClose("db (added to what was there)", eb, db, 1e-6);
        }
    }

    private static double[] layerNorm(double[] x, double[] scale, double[] shift, int dim) {
        double[] out = new double[x.length];
        for (int r = 0; r < x.length / dim; r++) {
            double mean = 0, var = 0;
            for (int i = 0; i < dim; i++) {
                mean += x[r * dim + i] / dim;
            }
            for (int i = 0; i < dim; i++) {
                var += (x[r * dim + i] - mean) * (x[r * dim + i] - mean) / dim;
            }
            for (int i = 0; i < dim; i++) {
                out[r * dim + i] = scale[i] * (x[r * dim + i] - mean) / Math.sqrt(var + 1e-5) + shift[i];
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** The values as float32 rounds them, so the reference and the double forward see the same inputs. */
    private static double[] floats(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    @Test
    void layerNormBackwardMatchesFiniteDifferences() {
        int rows = 3, dim = 10;
        double[] x = floats(randoms(rows * dim, 2)), scale = floats(randoms(dim, 1)), shift = floats(randoms(dim, 1));
        double[] r = floats(randoms(rows * dim, 1));
        double[] dxBefore = floats(randoms(rows * dim, 1));
        try (Arena arena = Arena.ofConfined()) {
            Tensor dx = tensor(arena, Shape.of(rows, dim), dxBefore);
            Tensor dScale = Tensor.allocate(arena, dim);
            Tensor dShift = Tensor.allocate(arena, dim);
            kernels.layerNormBackward(tensor(arena, Shape.of(rows, dim), r), tensor(arena, Shape.of(rows, dim), x),
                    tensor(arena, Shape.of(dim), scale), 1e-5f, dx, dScale, dShift);
            double[] ex = numeric(v -> dot(r, layerNorm(v, scale, shift, dim)), x.clone());
            for (int i = 0; i < ex.length; i++) {
                ex[i] += dxBefore[i];
            }
            assertClose("dx (added to what was there)", ex, dx, 1e-4);
            assertClose("dScale", numeric(s -> dot(r, layerNorm(x, s, shift, dim)), scale.clone()), dScale, 1e-4);
            assertClose("dShift", numeric(s -> dot(r, layerNorm(x, scale, s, dim)), shift.clone()), dShift, 1e-4);
        }
    }

    @Test
    void geluBackwardMatchesFiniteDifferences() {
        double[] x = floats(randoms(40, 2));
        x[0] = 0;
        x[1] = -6;
        x[2] = 6;
        double[] r = floats(randoms(40, 1));
        try (Arena arena = Arena.ofConfined()) {
            Tensor dx = tensor(arena, Shape.of(40), r);
            kernels.geluBackward(dx, tensor(arena, Shape.of(40), x), dx); // in place
            double[] expected = numeric(v -> {
                double s = 0;
                for (int i = 0; i < v.length; i++) {
                    s += r[i] * 0.5 * v[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v[i] + 0.044715 * v[i] * v[i] * v[i])));
                }
                return s;
            }, x.clone());
            assertClose("dx", expected, dx, 1e-5);
        }
    }

    @Test
    void mulIsTheElementwiseProduct() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.of(arena, Shape.of(4), 1, -2, 3, 4);
            Tensor mask = Tensor.of(arena, Shape.of(4), 0, 1.1111112f, 1.1111112f, 0);
            kernels.mul(a, mask, a);
            assertEquals(0f, a.get(0));
            assertEquals(-2 * 1.1111112f, a.get(1));
            assertEquals(3 * 1.1111112f, a.get(2));
        }
    }

    /** Causal attention in double: softmax(q·kᵀ/√d) with future keys masked, times the dropout factors, times v. */
    private static double[] attention(double[] q, double[] k, double[] v, double[] mask, int b, int t, int heads, int dim) {
        int hd = dim / heads;
        double[] out = new double[b * t * dim];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    double[] p = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int s = 0; s <= i; s++) {
                        double dot = 0;
                        for (int c = 0; c < hd; c++) {
                            dot += q[(bi * t + i) * dim + h * hd + c] * k[(bi * t + s) * dim + h * hd + c];
                        }
                        p[s] = dot / Math.sqrt(hd);
                        max = Math.max(max, p[s]);
                    }
                    for (int s = 0; s <= i; s++) {
                        p[s] = Math.exp(p[s] - max);
                        sum += p[s];
                    }
                    for (int s = 0; s <= i; s++) {
                        double weight = p[s] / sum * mask[((bi * heads + h) * t + i) * t + s];
                        for (int c = 0; c < hd; c++) {
                            out[(bi * t + i) * dim + h * hd + c] += weight * v[(bi * t + s) * dim + h * hd + c];
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void attentionBackwardMatchesFiniteDifferencesThroughMaskDropoutAndScale() {
        int b = 2, t = 5, heads = 2, dim = 6;
        double[] q = floats(randoms(b * t * dim, 1)), k = floats(randoms(b * t * dim, 1)), v = floats(randoms(b * t * dim, 1));
        double[] r = floats(randoms(b * t * dim, 1));
        double[] mask = new double[b * heads * t * t];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextDouble() < 0.2 ? 0 : (double) (1f / 0.8f);
        }
        Shape stream = Shape.of(b, t, dim);
        try (Arena arena = Arena.ofConfined()) {
            Tensor qt = tensor(arena, stream, q), kt = tensor(arena, stream, k), vt = tensor(arena, stream, v);
            Tensor probs = Tensor.allocate(arena, b, heads, t, t);
            kernels.attentionScores(qt, kt, heads, probs);
            kernels.softmax(probs, probs);
            Tensor dq = Tensor.allocate(arena, stream), dk = Tensor.allocate(arena, stream), dv = Tensor.allocate(arena, stream);
            dk.set(0, 99f); // written, not added to
            kernels.attentionBackward(tensor(arena, stream, r), qt, kt, vt, probs, tensor(arena, probs.shape(), mask),
                    heads, dq, dk, dv);
            assertClose("dq", numeric(x -> dot(r, attention(x, k, v, mask, b, t, heads, dim)), q.clone()), dq, 1e-5);
            assertClose("dk", numeric(x -> dot(r, attention(q, x, v, mask, b, t, heads, dim)), k.clone()), dk, 1e-5);
            assertClose("dv", numeric(x -> dot(r, attention(q, k, x, mask, b, t, heads, dim)), v.clone()), dv, 1e-5);
        }
    }

    private static double crossEntropy(double[] logits, int[] targets, int vocab) {
        double total = 0;
        int count = 0;
        for (int r = 0; r < targets.length; r++) {
            if (targets[r] == Kernels.IGNORE_INDEX) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 0; i < vocab; i++) {
                max = Math.max(max, logits[r * vocab + i]);
            }
            for (int i = 0; i < vocab; i++) {
                sum += Math.exp(logits[r * vocab + i] - max);
            }
            total += Math.log(sum) + max - logits[r * vocab + targets[r]];
            count++;
        }
        return total / count;
    }

    @Test
    void crossEntropyIsTheMeanOverTargetsNotIgnoredAndItsGradientMatchesFiniteDifferences() {
        int vocab = 7;
        int[] targets = {2, Kernels.IGNORE_INDEX, 6, 0};
        double[] logits = floats(randoms(targets.length * vocab, 3));
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = tensor(arena, Shape.of(2, 2, vocab), logits);
            assertEquals(crossEntropy(logits, targets, vocab), kernels.crossEntropy(x, targets, null), 1e-6);
            Tensor d = Tensor.allocate(arena, x.shape());
            float loss = kernels.crossEntropy(x, targets, d);
            assertEquals(crossEntropy(logits, targets, vocab), loss, 1e-6);
            assertClose("dLogits", numeric(l -> crossEntropy(l, targets, vocab), logits.clone()), d, 1e-5);
            float inPlace = kernels.crossEntropy(x, targets, x);
            assertEquals(loss, inPlace);
            for (int i = 0; i < d.size(); i++) {
                assertEquals(d.get(i), x.get(i), "in place, element " + i);
            }
            assertTrue(Float.isNaN(kernels.crossEntropy(tensor(arena, Shape.of(1, vocab), java.util.Arrays.copyOf(logits, vocab)),
                    new int[] {Kernels.IGNORE_INDEX}, null)), "every target ignored: NaN, as PyTorch");
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyWrite() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor logits = Tensor.allocate(arena, 2, 5);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> kernels.crossEntropy(logits, new int[] {1, 5}, null));
            assertTrue(e.getMessage().contains("targets[1] = 5"), e.getMessage());
            Tensor table = Tensor.allocate(arena, 4, 3);
            IndexOutOfBoundsException ids = assertThrows(IndexOutOfBoundsException.class,
                    () -> kernels.embeddingBackward(Tensor.allocate(arena, 2, 3), new int[] {0, 4}, table));
            assertTrue(ids.getMessage().contains("ids[1] = 4"), ids.getMessage());
            IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
                    () -> kernels.matmulBackwardWeight(Tensor.allocate(arena, 3, 4), Tensor.allocate(arena, 2, 5),
                            Tensor.allocate(arena, 4, 5)));
            assertTrue(shapes.getMessage().contains("rows"), shapes.getMessage());
            Tensor dx = Tensor.allocate(arena, 3, 5);
            assertThrows(IllegalArgumentException.class,
                    () -> kernels.matmulBackwardInput(dx, Tensor.allocate(arena, 4, 5), dx));
        }
    }
}
