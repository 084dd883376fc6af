package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Lane sums, {@code exp} and {@code tanh} on vectors of {@link SimdKernels#SPECIES}, built only
 * from operations whose results Java defines bit for bit (add, multiply, fma, divide, compare,
 * blend, lane permutation, integer shifts). The interpreter, C1 and C2 therefore agree on every
 * bit, which two ready-made operations do not:
 * <ul>
 *   <li>{@code reduceLanes(ADD)} on floats sums in an unspecified order, and the compiled and
 *       interpreted forms do differ;
 *   <li>{@code lanewise(EXP)} and {@code lanewise(TANH)} call SVML once C2 compiles them but fall
 *       back to {@code (float) Math.exp} per lane before (JDK 25's {@code VectorMathLibrary}); on
 *       Zen 4 the two disagree by one ulp on about 1 % (exp) and 0.2 % (tanh) of inputs.
 * </ul>
 * Every method is small and static so that C2 inlines it: a vector passed to a method that is not
 * inlined is boxed. (Compiled on their own, exp and tanh are about 1 KB of code, well below the
 * 2.5 KB {@code InlineSmallCode} above which C2 no longer inlines a compiled method; the kernels
 * call them only from loops, never from rarely taken paths, which C2 inlines only up to 625
 * bytes.) For a row's last elements there are scalar twins, the same operations on one float,
 * which give a vector lane's bits.
 */
final class VectorFunctions {

    private static final int LANES = SPECIES.length();

    private VectorFunctions() {}

    // PAIR_s: within each block of 2s lanes, lane i takes lane i + s (mod 2s). Adding a vector to
    // itself so shuffled, for s = LANES/2, ..., 2, 1, sums each block's lanes pairwise: the sum of
    // all lanes ends in lane 0 after a fixed tree. A species has at most 64 float lanes (2048-bit SVE).
    static final VectorShuffle<Float> PAIR_32 = pairs(32);
    static final VectorShuffle<Float> PAIR_16 = pairs(16);
    static final VectorShuffle<Float> PAIR_8 = pairs(8);
    static final VectorShuffle<Float> PAIR_4 = pairs(4);
    static final VectorShuffle<Float> PAIR_2 = pairs(2);
    static final VectorShuffle<Float> PAIR_1 = pairs(1);

    /** PAIR_s for s = LANES/2 and LANES/4: the first two levels of the tree, whatever LANES is. */
    static final VectorShuffle<Float> PAIR_HALF = pairs(Math.max(LANES / 2, 1));
    static final VectorShuffle<Float> PAIR_QUARTER = pairs(Math.max(LANES / 4, 1));

    private static VectorShuffle<Float> pairs(int s) {
        int block = Math.min(2 * s, LANES);
        return VectorShuffle.fromOp(SPECIES, i -> i - i % block + (i % block + s) % block);
    }

    /**
     * The sum of the lanes in a fixed pairwise order (for 16 lanes: lane i + lane i+8, then +4, +2,
     * +1), the same in every JIT tier, unlike {@code reduceLanes(ADD)}. LANES is a constant, so C2
     * drops the branches not taken.
     */
    static float sum(FloatVector v) {
        if (LANES >= 64) {
            v = v.add(v.rearrange(PAIR_32));
        }
        if (LANES >= 32) {
            v = v.add(v.rearrange(PAIR_16));
        }
        if (LANES >= 16) {
            v = v.add(v.rearrange(PAIR_8));
        }
        if (LANES >= 8) {
            v = v.add(v.rearrange(PAIR_4));
        }
        if (LANES >= 4) {
            v = v.add(v.rearrange(PAIR_2));
        }
        return v.add(v.rearrange(PAIR_1)).lane(0);
    }

    // exp: e^x = 2^n · e^r with n = round(x·log2 e) and |r| ≤ ln2/2 (Cody and Waite), e^r by the
    // Cephes expf polynomial 1 + r + r²·P(r).
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer, held in the low mantissa bits. */
    private static final float ROUND = 0x1.8p23f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    /** ln 2 in two parts: the high one has 15 significant bits, so n·LN2_HI is exact for every n here. */
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.428606765330187045e-6f;
    private static final float P5 = 1.9875691500e-4f;
    private static final float P4 = 1.3981999507e-3f;
    private static final float P3 = 8.3334519073e-3f;
    private static final float P2 = 4.1665795894e-2f;
    private static final float P1 = 1.6666665459e-1f;
    private static final float P0 = 5.0000001201e-1f;
    /** e^-110 rounds to 0 and e^100 to +∞ in float: clamping there changes no result. */
    private static final float EXP_MIN = -110f;
    private static final float EXP_MAX = 100f;

    /**
     * {@code e^x} per lane, within one ulp of {@code (float) Math.exp(x)} for every float x (checked
     * exhaustively on Zen 4; 0.8 % of inputs differ by that ulp), subnormal results included.
     * {@code −∞} gives exactly 0, {@code +∞} gives {@code +∞}, NaN gives NaN.
     */
    static FloatVector exp(FloatVector x) {
        // Clamped by compare and blend, cheaper than min/max with Java's NaN and ±0 rules; NaN
        // fails both compares, stays, and propagates through r.
        x = x.blend(EXP_MIN, x.compare(VectorOperators.LT, EXP_MIN));
        x = x.blend(EXP_MAX, x.compare(VectorOperators.GT, EXP_MAX));
        // fma rounds x·log2 e + ROUND once, to an integer n in the low bits of t.
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(SPECIES, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
        FloatVector p = r.fma(P5, P4);
        p = p.fma(r, FloatVector.broadcast(SPECIES, P3));
        p = p.fma(r, FloatVector.broadcast(SPECIES, P2));
        p = p.fma(r, FloatVector.broadcast(SPECIES, P1));
        p = p.fma(r, FloatVector.broadcast(SPECIES, P0));
        p = p.fma(r.mul(r), r).add(1f);
        // 2^n in two factors 2^n1 · 2^n2 (n in [-159, 145], so both are normal floats): p · 2^n1 is
        // exact and the second product rounds once, also where e^x is subnormal or overflows.
        IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector scale1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale1).mul(scale2);
    }

    /**
     * {@link #exp(FloatVector)} for one float: the same operations in the same order, so the same
     * bits as a lane of the vector form, for the elements after a row's last whole vector (a masked
     * vector would double the code C2 has to inline into the loop's method).
     */
    static float exp(float x) {
        if (x < EXP_MIN) {
            x = EXP_MIN;
        }
        if (x > EXP_MAX) {
            x = EXP_MAX;
        }
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P5, P4);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P1);
        p = Math.fma(p, r, P0);
        p = Math.fma(p, r * r, r) + 1f;
        int ni = Float.floatToRawIntBits(t) - ROUND_BITS;
        int n1 = ni >> 1;
        int n2 = ni - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    // tanh: below TANH_SPLIT an odd polynomial a + a·a²·Q(a²), fitted (minimax, relative error
    // 6e-9 before rounding) on [0, 0.9]; above it 1 − 2/(e^{2a} + 1), whose cancellation-free
    // division is accurate once tanh(a) > 0.7.
    private static final float TANH_SPLIT = 0.9f;
    private static final float Q0 = -0.33333322405815125f;
    private static final float Q1 = 0.13332977890968323f;
    private static final float Q2 = -0.053929299116134644f;
    private static final float Q3 = 0.02166352979838848f;
    private static final float Q4 = -0.008264521136879921f;
    private static final float Q5 = 0.0025826478376984596f;
    private static final float Q6 = -0.0004554530023597181f;
    private static final int SIGN = 0x80000000;

    /**
     * {@code tanh(u)} per lane, within one ulp of {@code (float) Math.tanh(u)} for every float u
     * (checked exhaustively on Zen 4; 0.2 % of inputs differ by that ulp). Odd by construction;
     * {@code ±∞} gives {@code ±1}, NaN gives NaN.
     */
    static FloatVector tanh(FloatVector u) {
        FloatVector a = u.abs();
        FloatVector z = a.mul(a);
        FloatVector q = z.fma(Q6, Q5);
        q = q.fma(z, FloatVector.broadcast(SPECIES, Q4));
        q = q.fma(z, FloatVector.broadcast(SPECIES, Q3));
        q = q.fma(z, FloatVector.broadcast(SPECIES, Q2));
        q = q.fma(z, FloatVector.broadcast(SPECIES, Q1));
        q = q.fma(z, FloatVector.broadcast(SPECIES, Q0));
        FloatVector small = a.mul(z).fma(q, a);
        // e^{2a} is +∞ for a > 44, giving exactly 1; NaN fails the compare and stays NaN here.
        FloatVector large = FloatVector.broadcast(SPECIES, 1f).sub(FloatVector.broadcast(SPECIES, 2f).div(exp(a.add(a)).add(1f)));
        FloatVector magnitude = large.blend(small, a.compare(VectorOperators.LT, TANH_SPLIT));
        return magnitude.reinterpretAsInts().or(u.reinterpretAsInts().and(SIGN)).reinterpretAsFloats();
    }

    /** {@link #tanh(FloatVector)} for one float: the same operations, so the same bits as a lane. */
    static float tanh(float u) {
        float a = Math.abs(u);
        float z = a * a;
        float q = Math.fma(z, Q6, Q5);
        q = Math.fma(q, z, Q4);
        q = Math.fma(q, z, Q3);
        q = Math.fma(q, z, Q2);
        q = Math.fma(q, z, Q1);
        q = Math.fma(q, z, Q0);
        float magnitude = a < TANH_SPLIT ? Math.fma(a * z, q, a) : 1f - 2f / (exp(a + a) + 1f);
        return Float.intBitsToFloat(Float.floatToRawIntBits(magnitude) | (Float.floatToRawIntBits(u) & SIGN));
    }
}
