package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The vector exp and tanh of {@link VectorFunctions}, lane by lane and as scalars, against {@link Math}. */
class VectorFunctionsTest {

    private static final int LANES = SimdKernels.SPECIES.length();

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
}
