package dev.vecgpt.core.random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgpt.core.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads the PyTorch known answers copied into src/test/resources/torch/ (see make_torch_extra.py). */
final class TorchReference {

    private TorchReference() {}

    static JsonNode load(String name) {
        try (InputStream in = TorchReference.class.getResourceAsStream("/torch/" + name)) {
            assertNotNull(in, "test resource /torch/" + name + " not found");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An array of 8-hex-digit float32 bit patterns. */
    static int[] bits(JsonNode hexArray) {
        int[] out = new int[hexArray.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Integer.parseUnsignedInt(hexArray.get(i).asText(), 16);
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    /** Asserts that every element of {@code t} has exactly the expected float bits. */
    static void assertBits(int[] expected, Tensor t, String what) {
        assertEquals(expected.length, t.size(), what + ": size");
        for (int i = 0; i < expected.length; i++) {
            int actual = Float.floatToRawIntBits(t.get(i));
            if (actual != expected[i]) {
                throw new AssertionError(String.format("%s: element %d is %s (0x%08x), PyTorch gives %s (0x%08x)",
                        what, i, t.get(i), actual, Float.intBitsToFloat(expected[i]), expected[i]));
            }
        }
    }
}
