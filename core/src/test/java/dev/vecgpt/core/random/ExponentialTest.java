package dev.vecgpt.core.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * {@code exponential_} against sampling.json: values drawn by PyTorch 1.13.1 built without MKL (the path
 * current releases take on every CPU) right after {@code torch.manual_seed(123)}; bits are compared.
 */
class ExponentialTest {

    private static final JsonNode KNOWN = TorchReference.load("sampling.json");

    @Test
    void float32LambdaOneIsPyTorchsBitForBit() {
        float[] out = new float[20];
        new TorchGenerator(123).exponential_(out, 1.0);
        assertFloatBits(KNOWN.get("exponential_f32_seed123").get("bits"), out, "exponential_(1) float32");
    }

    @Test
    void float32LambdaTwoAndAHalfIsPyTorchsBitForBit() {
        float[] out = new float[20];
        new TorchGenerator(123).exponential_(out, 2.5);
        assertFloatBits(KNOWN.get("exponential_f32_lambd2.5_seed123").get("bits"), out, "exponential_(2.5) float32");
    }

    @Test
    void float64LambdaOneIsPyTorchsBitForBit() {
        double[] out = new double[20];
        new TorchGenerator(123).exponential_(out, 1.0);
        JsonNode bits = KNOWN.get("exponential_f64_seed123").get("bits");
        assertEquals(bits.size(), out.length);
        for (int i = 0; i < out.length; i++) {
            assertEquals(bits.get(i).longValue(), Double.doubleToRawLongBits(out[i]),
                    "exponential_(1) float64 element " + i + " = " + out[i]);
        }
    }

    @Test
    void tensorFillEqualsArrayFill() {
        float[] array = new float[37];
        new TorchGenerator(5).exponential_(array, 0.5);
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, 37);
            new TorchGenerator(5).exponential_(t, 0.5);
            for (int i = 0; i < array.length; i++) {
                assertEquals(Float.floatToRawIntBits(array[i]), Float.floatToRawIntBits(t.get(i)), "element " + i);
            }
        }
    }

    /** Each value takes one random64, i.e. two raw outputs: what comes next is output number 2n. */
    @Test
    void eachValueConsumesTwoRawOutputs() {
        TorchGenerator drawn = new TorchGenerator(123);
        drawn.exponential_(new float[7], 1.0);
        TorchGenerator skipped = new TorchGenerator(123);
        skipped.skip(14);
        assertEquals(skipped.random(), drawn.random());
    }

    @Test
    void valuesArePositiveWithMeanOneOverLambda() {
        double[] out = new double[200_000];
        new TorchGenerator(1).exponential_(out, 4.0);
        double sum = 0;
        for (double v : out) {
            assertTrue(v >= 0, "negative sample " + v);
            sum += v;
        }
        assertEquals(0.25, sum / out.length, 0.005); // standard error 0.25 / sqrt(200000) = 0.00056
    }

    @Test
    void badLambdaIsRefusedWithItsValue() {
        TorchGenerator gen = new TorchGenerator(1);
        for (double bad : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            var e = assertThrows(IllegalArgumentException.class, () -> gen.exponential_(new float[3], bad));
            assertTrue(e.getMessage().contains("lambda=" + bad), e.getMessage());
        }
    }

    private static void assertFloatBits(JsonNode expected, float[] actual, String what) {
        assertEquals(expected.size(), actual.length, what + ": size");
        for (int i = 0; i < actual.length; i++) {
            int want = expected.get(i).intValue();
            assertEquals(want, Float.floatToRawIntBits(actual[i]), String.format(
                    "%s element %d: %s, PyTorch gives %s", what, i, actual[i], Float.intBitsToFloat(want)));
        }
    }
}
