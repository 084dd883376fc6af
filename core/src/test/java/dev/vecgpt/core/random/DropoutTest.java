package dev.vecgpt.core.random;

import static dev.vecgpt.core.random.TorchReference.assertBits;
import static dev.vecgpt.core.random.TorchReference.bits;
import static dev.vecgpt.core.random.TorchReference.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Known answers for F.dropout(training=True): dropout_portable.json, dropout_x86_mkl.json, torch_extra.json. */
class DropoutTest {

    private static final JsonNode EXTRA = TorchReference.load("torch_extra.json");

    @Test
    void portableOnOnesAfterSeed123() {
        JsonNode ref = TorchReference.load("dropout_portable.json");
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = ones(arena, 2, 4, 768);
            Dropout.apply(x, 0.1, Dropout.Mode.PORTABLE, new TorchGenerator(123));
            assertMask(x, ints(ref.get("dropped_flat_indices")), ref.get("kept_count").intValue(),
                    bits(ref.get("kept_value").get("bits"))[0]);
        }
    }

    @Test
    void mklStreamFirstUniforms() {
        JsonNode ref = TorchReference.load("dropout_x86_mkl.json");
        long state = Dropout.mcg31Start(ref.get("stream_seed").longValue());
        JsonNode firstU = ref.get("first_u");
        for (int k = 0; k < firstU.size(); k++) {
            assertEquals(firstU.get(k).doubleValue(), Dropout.mcg31Uniform(state), "u_" + k);
            state = Dropout.mcg31Next(state);
        }
    }

    @Test
    void mklMaskFromTheStreamSeed() {
        JsonNode ref = TorchReference.load("dropout_x86_mkl.json");
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = ones(arena, 2, 4, 768);
            Dropout.applyMkl(x, 0.1, ref.get("stream_seed").longValue());
            assertMask(x, ints(ref.get("dropped_flat_indices")), ref.get("kept_count").intValue(), 0x3f8e38e4);
        }
    }

    /** The notebook's mask: the generator after DummyGptModel's init (77,981,184 draws) seeds the MKL stream. */
    @Test
    void mklMaskFromTheGeneratorAfterModelInit() {
        JsonNode ref = TorchReference.load("dropout_x86_mkl.json");
        TorchGenerator gen = new TorchGenerator(123);
        gen.skip(77_981_184);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = ones(arena, 2, 4, 768);
            Dropout.apply(x, 0.1, Dropout.Mode.X86_MKL, gen);
            assertMask(x, ints(ref.get("dropped_flat_indices")), ref.get("kept_count").intValue(), 0x3f8e38e4);
        }
        // exactly one raw output was used
        TorchGenerator expected = new TorchGenerator(123);
        expected.skip(77_981_185);
        assertEquals(expected.random(), gen.random());
    }

    /** Signed inputs (dropped negatives become -0.0), several p, including p = 0 and p = 1 which draw nothing. */
    @Test
    void portableOnSignedValues() {
        int[] input = bits(EXTRA.get("dropout_input"));
        for (Iterator<Map.Entry<String, JsonNode>> it = EXTRA.get("dropout_portable").properties().iterator(); it.hasNext(); ) {
            JsonNode c = it.next().getValue();
            double p = c.get("p").doubleValue();
            TorchGenerator gen = new TorchGenerator(c.get("seed").longValue());
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = Tensor.allocate(arena, 4, 5);
                for (int i = 0; i < input.length; i++) {
                    x.set(i, Float.intBitsToFloat(input[i]));
                }
                Dropout.apply(x, p, Dropout.Mode.PORTABLE, gen);
                assertBits(bits(c.get("out")), x, "dropout p=" + p);
                Tensor next = Tensor.allocate(arena, 2);
                gen.normal_(next, 0, 1);
                assertBits(bits(c.get("then_randn2")), next, "randn(2) after dropout p=" + p);
            }
        }
    }

    @Test
    void keptValueIsOneOverFloatOfOneMinusP() {
        for (Iterator<Map.Entry<String, JsonNode>> it = EXTRA.get("dropout_kept_value_by_p").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            double p = Double.parseDouble(e.getKey());
            int[] expected = bits(e.getValue()); // the distinct non-zero outputs on ones(64)
            try (Arena arena = Arena.ofConfined()) {
                Tensor x = ones(arena, 64);
                Dropout.apply(x, p, Dropout.Mode.PORTABLE, new TorchGenerator(0));
                for (long i = 0; i < x.size(); i++) {
                    int b = Float.floatToRawIntBits(x.get(i));
                    assertTrue(b == 0 || b == expected[0], "p=" + p + ": kept value 0x" + Integer.toHexString(b)
                            + ", PyTorch gives 0x" + Integer.toHexString(expected[0]));
                }
            }
        }
    }

    @Test
    void mklModeDrawsNothingForPZeroOrOne() {
        TorchGenerator gen = new TorchGenerator(3);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, Shape.of(3), -2f, 0f, 5f);
            Dropout.apply(x, 0, Dropout.Mode.X86_MKL, gen);
            assertArrayEquals(new float[] {-2f, 0f, 5f}, x.toArray());
            Dropout.apply(x, 1, Dropout.Mode.X86_MKL, gen);
            assertArrayEquals(new int[] {0x80000000, 0, 0},
                    new int[] {Float.floatToRawIntBits(x.get(0)), Float.floatToRawIntBits(x.get(1)), Float.floatToRawIntBits(x.get(2))});
        }
        assertEquals(new TorchGenerator(3).random(), gen.random());
    }

    @Test
    void refusesBadArguments() {
        TorchGenerator gen = new TorchGenerator(1);
        Tensor dead;
        try (Arena arena = Arena.ofConfined()) {
            dead = ones(arena, 4);
            Tensor x = dead;
            for (double p : new double[] {-0.1, 1.5, Double.NaN}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Dropout.apply(x, p, Dropout.Mode.PORTABLE, gen));
                assertTrue(e.getMessage().contains(String.valueOf(p)), e.getMessage());
            }
            assertThrows(NullPointerException.class, () -> Dropout.apply(x, 0.1, null, gen));
            assertThrows(NullPointerException.class, () -> Dropout.apply(x, 0.1, Dropout.Mode.PORTABLE, null));
            assertThrows(NullPointerException.class, () -> Dropout.apply(null, 0.1, Dropout.Mode.PORTABLE, gen));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Dropout.apply(dead, 0.1, Dropout.Mode.X86_MKL, gen));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(new TorchGenerator(1).random(), gen.random(), "refused calls must not draw");
    }

    private static Tensor ones(Arena arena, int... dims) {
        Tensor t = Tensor.allocate(arena, dims);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, 1f);
        }
        return t;
    }

    /** Dropped elements are exactly {@code dropped} (value +0.0), every other one is {@code keptBits}. */
    private static void assertMask(Tensor x, int[] dropped, int keptCount, int keptBits) {
        List<Integer> actualDropped = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
            int b = Float.floatToRawIntBits(x.get(i));
            if (b == 0) {
                actualDropped.add(i);
            } else {
                assertEquals(keptBits, b, "kept value at " + i);
            }
        }
        assertArrayEquals(dropped, actualDropped.stream().mapToInt(Integer::intValue).toArray(), "dropped flat indices");
        assertEquals(keptCount, x.size() - actualDropped.size(), "kept count");
    }
}
