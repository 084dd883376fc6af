package dev.vecgpt.core.random;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * PyTorch 1.13's training-mode {@code F.dropout(x, p, training=True)} on CPU, in place, bit for bit.
 *
 * <p>On CPU {@code at::native::dropout} takes the unfused path ({@code _dropout_impl} in
 * ATen/native/Dropout.cpp): {@code if (p == 0) return x; if (p == 1) return x * 0;} otherwise
 * {@code noise = empty_like(x).bernoulli_(1 - p); noise.div_(1 - p); return x * noise}. So an element is
 * either {@code x * (1.0f / (float)(1 - p))} (the division runs in float on a float tensor of ones) or
 * {@code x * 0.0f} (so {@code -0.0} for negative x, NaN for infinite or NaN x), and p = 0 or p = 1 draw
 * nothing from the generator. Which elements survive depends on how the build implements
 * {@code bernoulli_(double)}, hence {@link Mode}.
 */
public final class Dropout {

    /** Which {@code bernoulli_scalar_kernel} (ATen/native/cpu/DistributionKernels.cpp) to reproduce. */
    public enum Mode {
        /**
         * The official x86 wheels, built with MKL: one {@code generator->random()} seeds an MKL
         * VSL_BRNG_MCG31 stream, and {@code viRngBernoulli} (ICDF) keeps element k iff u_k < 1 - p. The
         * stream is split across threads with skip-ahead, so the mask does not depend on the thread count.
         */
        X86_MKL,
        /**
         * Builds without MKL (e.g. ARM, Debian's python3-torch): {@code templates::cpu::bernoulli_kernel},
         * one at::bernoulli_distribution<double> per element in order, i.e. u = 53-bit uniform of
         * random64() and kept iff u < 1 - p.
         */
        PORTABLE
    }

    private Dropout() {}

    /** MCG31m1 (Lehmer generator of MKL's VSL_BRNG_MCG31): x' = A·x mod (2^31 - 1). */
    private static final long MCG31_A = 1132489760L;
    private static final long MCG31_M = (1L << 31) - 1;

    /**
     * Applies training-mode dropout to {@code x} in place, drawing from {@code gen} as PyTorch would:
     * {@link Mode#X86_MKL} one raw output, {@link Mode#PORTABLE} two raw outputs per element, and
     * nothing at all when p is 0 (x is left unchanged) or 1 (every element becomes x * 0.0f).
     *
     * @param p the probability of dropping an element, 0 <= p <= 1 (PyTorch accepts both ends)
     */
    public static void apply(Tensor x, double p, Mode mode, TorchGenerator gen) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(gen, "gen");
        if (!prepare(x, p)) {
            return;
        }
        switch (mode) {
            case X86_MKL -> applyMcg31(x, p, gen.random() & 0xFFFF_FFFFL); // int64_t seed = generator->random()
            case PORTABLE -> {
                double keepProb = 1 - p;
                float keepScale = keepScale(p);
                MemorySegment seg = x.segment();
                for (long i = 0, n = x.size(); i < n; i++) {
                    scale(seg, i, gen.nextDouble01() < keepProb ? keepScale : 0.0f);
                }
            }
        }
    }

    /** {@link Mode#X86_MKL} dropout with the MCG31 stream seed given directly (what gen.random() returned). */
    static void applyMkl(Tensor x, double p, long streamSeed) {
        if (prepare(x, p)) {
            applyMcg31(x, p, streamSeed);
        }
    }

    /** Validates; handles p == 0 and p == 1 (no draws); returns true if a mask must still be drawn. */
    private static boolean prepare(Tensor x, double p) {
        Objects.requireNonNull(x, "x");
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        TorchGenerator.checkWritable(x);
        if (p == 1) {
            MemorySegment seg = x.segment();
            for (long i = 0, n = x.size(); i < n; i++) {
                scale(seg, i, 0.0f);
            }
        }
        return p != 0 && p != 1;
    }

    /** noise.div_(1 - p) on a float tensor of ones: the double scalar becomes float, the division is float. */
    private static float keepScale(double p) {
        return 1.0f / (float) (1 - p);
    }

    private static void applyMcg31(Tensor x, double p, long seed) {
        double keepProb = 1 - p;
        float keepScale = keepScale(p);
        MemorySegment seg = x.segment();
        long state = mcg31Start(seed);
        for (long i = 0, n = x.size(); i < n; i++) {
            // viRngBernoulli, method ICDF: 1 iff u < p_bernoulli
            scale(seg, i, mcg31Uniform(state) < keepProb ? keepScale : 0.0f);
            state = mcg31Next(state);
        }
    }

    /** x_0 = seed mod (2^31 - 1); MKL replaces a zero state by 1. */
    static long mcg31Start(long seed) {
        long x0 = seed % MCG31_M;
        return x0 == 0 ? 1 : x0;
    }

    /** x_{k+1} = A x_k mod (2^31 - 1); the product is below 2^62, so long arithmetic is exact. */
    static long mcg31Next(long state) {
        return state * MCG31_A % MCG31_M;
    }

    /** u_k = x_k / (2^31 - 1); the stream's first uniform is u_0, from the seed itself. */
    static double mcg31Uniform(long state) {
        return (double) state / MCG31_M;
    }

    /** x * noise, in float, as {@code input * noise} does. */
    private static void scale(MemorySegment seg, long i, float noise) {
        seg.setAtIndex(Tensor.FLOAT, i, seg.getAtIndex(Tensor.FLOAT, i) * noise);
    }
}
