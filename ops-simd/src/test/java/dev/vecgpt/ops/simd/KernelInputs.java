package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Inputs and a run of the five transformer kernels, shared by the tests and by {@link TierProbe} (so no JUnit here). */
final class KernelInputs {

    private KernelInputs() {}

    /** Row lengths around the vector widths (4, 8, 16 lanes) and GPT-2's sizes. */
    static final int[] LENGTHS = {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 767, 768, 769, 1024, 3072};

    static IntStream lengths() {
        return IntStream.of(LENGTHS);
    }

    /** Normal samples of the given spread and mean (Box–Muller from the seeded generator). */
    static Tensor gaussian(Arena arena, SplittableRandom random, double sigma, double mean, int... dims) {
        Tensor t = Tensor.allocate(arena, dims);
        for (long i = 0; i < t.size(); i++) {
            double radius = Math.sqrt(-2 * Math.log1p(-random.nextDouble()));
            t.set(i, (float) (mean + sigma * radius * Math.cos(2 * Math.PI * random.nextDouble())));
        }
        return t;
    }

    /**
     * The five kernels once each: layer norm, GELU and softmax of x; then attention scores, softmax
     * weights and values of q, k, v with 2 heads (4 when the width is a multiple of 4·64).
     */
    static Tensor[] run(Kernels kernels, Arena arena, Tensor x, Tensor scale, Tensor shift, Tensor q, Tensor k, Tensor v) {
        int heads = q.shape().dim(2) % 256 == 0 ? 4 : 2;
        Tensor norm = Tensor.allocate(arena, x.shape());
        kernels.layerNorm(x, scale, shift, 1e-5f, norm);
        Tensor gelu = Tensor.allocate(arena, x.shape());
        kernels.gelu(x, gelu);
        Tensor softmax = Tensor.allocate(arena, x.shape());
        kernels.softmax(x, softmax);
        Tensor scores = Tensor.allocate(arena, q.shape().dim(0), heads, q.shape().dim(1), k.shape().dim(1));
        kernels.attentionScores(q, k, heads, scores);
        Tensor weights = Tensor.allocate(arena, scores.shape());
        kernels.softmax(scores, weights);
        Tensor context = Tensor.allocate(arena, q.shape());
        kernels.attentionValues(weights, v, heads, context);
        return new Tensor[] {norm, gelu, softmax, scores, weights, context};
    }

    /** About one in eight entries −∞, and at least one finite entry per row, as causal masks leave. */
    static Tensor masked(SplittableRandom random, Tensor x) {
        int n = x.shape().dim(-1);
        for (long i = 0; i < x.size(); i++) {
            if (random.nextInt(8) == 0 && i % n != 0) {
                x.set(i, Float.NEGATIVE_INFINITY);
            }
        }
        return x;
    }
}
