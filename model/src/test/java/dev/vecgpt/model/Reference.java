package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Known answers from a real PyTorch (and the design notebook's text), kept in src/test/resources/reference/. */
public final class Reference {

    private Reference() {}

    public static JsonNode json(String name) {
        try (InputStream in = open(name)) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Floats from an array of 8-hex-digit IEEE-754 bit patterns. */
    public static float[] floatsFromBits(JsonNode hexArray) {
        float[] out = new float[hexArray.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(hexArray.get(i).asText(), 16));
        }
        return out;
    }

    private static InputStream open(String name) {
        InputStream in = Reference.class.getResourceAsStream("/reference/" + name);
        assertNotNull(in, "test resource /reference/" + name + " not found");
        return in;
    }
}
