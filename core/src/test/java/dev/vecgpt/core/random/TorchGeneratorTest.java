package dev.vecgpt.core.random;

import static dev.vecgpt.core.random.TorchReference.assertBits;
import static dev.vecgpt.core.random.TorchReference.bits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.Iterator;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Known answers of PyTorch 1.13.1's CPU generator: mt19937.json, distributions.json, linear_init.json, torch_extra.json. */
class TorchGeneratorTest {

    private static final JsonNode MT = TorchReference.load("mt19937.json");
    private static final JsonNode DIST = TorchReference.load("distributions.json");
    private static final JsonNode EXTRA = TorchReference.load("torch_extra.json");

    // ---- mt19937 ----

    @Test
    void firstOutputsOfSeed123() {
        TorchGenerator gen = new TorchGenerator(MT.get("seed").longValue());
        JsonNode first = MT.get("first_outputs");
        for (int i = 0; i < first.size(); i++) {
            assertEquals(first.get(i).longValue(), Integer.toUnsignedLong(gen.random()), "output " + i);
        }
    }

    @Test
    void output77981184OfSeed123() {
        TorchGenerator gen = new TorchGenerator(123);
        for (int i = 0; i < 77_981_184; i++) {
            gen.random();
        }
        assertEquals(MT.get("output_77981184").longValue(), Integer.toUnsignedLong(gen.random()));
    }

    @Test
    void skipEqualsDrawing() {
        TorchGenerator drawn = new TorchGenerator(123);
        TorchGenerator skipped = new TorchGenerator(123);
        for (int count : new int[] {0, 1, 623, 624, 625, 5000}) {
            for (int i = 0; i < count; i++) {
                drawn.random();
            }
            skipped.skip(count);
            assertEquals(drawn.random(), skipped.random(), "after skipping " + count);
        }
        TorchGenerator far = new TorchGenerator(123);
        far.skip(77_981_184);
        assertEquals(MT.get("output_77981184").longValue(), Integer.toUnsignedLong(far.random()));
    }

    @Test
    void random64PutsTheFirstOutputInTheHighWord() {
        JsonNode first = MT.get("first_outputs");
        TorchGenerator gen = new TorchGenerator(123);
        for (int i = 0; i < first.size(); i += 2) {
            long expected = (first.get(i).longValue() << 32) | first.get(i + 1).longValue();
            assertEquals(expected, gen.random64(), "random64 #" + i / 2);
        }
    }

    @Test
    void manualSeedRestartsTheSequence() {
        TorchGenerator gen = new TorchGenerator(99);
        gen.skip(1000);
        gen.manualSeed(123);
        assertEquals(MT.get("first_outputs").get(0).longValue(), Integer.toUnsignedLong(gen.random()));
    }

    @Test
    void seedIsTakenModulo2To32() {
        for (Iterator<Map.Entry<String, JsonNode>> it = EXTRA.get("rand4_by_seed").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            try (Arena arena = Arena.ofConfined()) {
                Tensor t = Tensor.allocate(arena, 4);
                new TorchGenerator(Long.parseLong(e.getKey())).uniform_(t, 0, 1);
                assertBits(bits(e.getValue()), t, "manual_seed(" + e.getKey() + "); rand(4)");
            }
        }
    }

    // ---- distributions.json: each entry right after manual_seed(123) ----

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 15, 16, 17, 37, 100})
    void randn(int n) {
        assertNormal(DIST.get("randn_" + n), 123, 0, 1, "randn(" + n + ")", n);
    }

    @Test
    void normalMean2Std05On3x7() {
        // 21 values: the float path, with the last 16 recomputed from fresh uniforms
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, 3, 7);
            new TorchGenerator(123).normal_(t, 2.0, 0.5);
            assertBits(bits(DIST.get("randn_3x7_mean2_std0.5").get("bits")), t, "normal_(2.0, 0.5) on [3,7]");
        }
    }

    @Test
    void rand8() {
        assertUniform(bits(DIST.get("rand_8").get("bits")), 123, 0, 1, "rand(8)");
    }

    @Test
    void uniformFromMinus2To3() {
        assertUniform(bits(DIST.get("uniform_8_from_-2_to_3").get("bits")), 123, -2, 3, "uniform_(-2, 3)");
    }

    // ---- torch_extra.json: mean/std on both normal paths, chunk boundaries, the cached normal ----

    @Test
    void normalWithMeanAndStdOnBothPaths() {
        assertNormal(EXTRA.get("seed11_normal7_mean-1.5_std3"), 11, -1.5, 3.0, "normal_(-1.5, 3) n=7", 7);
        assertNormal(EXTRA.get("seed11_normal33_mean-1.5_std3"), 11, -1.5, 3.0, "normal_(-1.5, 3) n=33", 33);
        // mean and std that floats cannot hold: the double path uses them as doubles
        assertNormal(EXTRA.get("seed13_normal9_mean0.1_std0.02"), 13, 0.1, 0.02, "normal_(0.1, 0.02) n=9", 9);
    }

    @Test
    void largerThanOneChunkWithTail() {
        assertNormal(EXTRA.get("seed42_normal4116_mean0_std0.02"), 42, 0, 0.02, "normal_(0, 0.02) n=4116", 4116);
        assertUniform(bits(EXTRA.get("seed42_uniform4100_from-0.1_to0.7")), 42, -0.1, 0.7, "uniform_(-0.1, 0.7) n=4100");
    }

    /** randn(3) leaves the sin sample cached; randn(16) neither uses nor clears it; the next randn(3) starts with it. */
    @Test
    void cachedNormalSurvivesTheFloatPath() {
        assertCalls(EXTRA.get("seed5_randn3_randn16_randn3"), 5, new int[] {3, 16, 3}, false);
    }

    @Test
    void cachedNormalContinuesAcrossCalls() {
        assertCalls(EXTRA.get("seed123_randn3_randn3"), 123, new int[] {3, 3}, false);
        assertCalls(EXTRA.get("seed7_rand3_randn20_randn2"), 7, new int[] {3, 20, 2}, true);
    }

    @Test
    void manualSeedClearsTheCachedNormal() {
        TorchGenerator gen = new TorchGenerator(123);
        try (Arena arena = Arena.ofConfined()) {
            gen.normal_(Tensor.allocate(arena, 1), 0, 1); // leaves a cached sample
            gen.manualSeed(123);
            Tensor t = Tensor.allocate(arena, 2);
            gen.normal_(t, 0, 1);
            assertBits(bits(EXTRA.get("seed123_randn1_reseed_randn2")), t, "randn(1); manual_seed(123); randn(2)");
        }
    }

    // ---- nn.Linear's default init ----

    @Test
    void linear768To10Weight() {
        JsonNode lin = TorchReference.load("linear_init.json");
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(arena, 10, 768);
            new TorchGenerator(123).kaimingUniform_(w);
            assertBits(bits(lin.get("linear_768_10_weight").get("bits")), w, "nn.Linear(768, 10).weight");
        }
    }

    @Test
    void linear20To3WeightThenBias() {
        JsonNode lin = TorchReference.load("linear_init.json");
        assertLinear(lin.get("linear_20_3_weight").get("bits"), lin.get("linear_20_3_bias").get("bits"), 20, 3, 123);
    }

    @Test
    void linearOtherShapes() {
        for (Iterator<Map.Entry<String, JsonNode>> it = EXTRA.get("linear").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String[] key = e.getKey().split("_"); // in_out_seedS
            assertLinear(e.getValue().get("weight"), e.getValue().get("bias"), Integer.parseInt(key[0]),
                    Integer.parseInt(key[1]), Integer.parseInt(key[2].substring(4)));
        }
    }

    // ---- argument checks ----

    @Test
    void refusesClosedTensorsAndBadArguments() {
        TorchGenerator gen = new TorchGenerator(1);
        Tensor dead;
        try (Arena arena = Arena.ofConfined()) {
            dead = Tensor.allocate(arena, 20);
            Tensor live = dead;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gen.uniform_(live, 3, -2));
            assertTrue(e.getMessage().contains("from=3.0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> gen.normal_(live, 0, -1));
            assertTrue(e.getMessage().contains("-1.0"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> gen.kaimingUniform_(live));
            assertTrue(e.getMessage().contains("[20]"), e.getMessage());
        }
        assertThrows(IllegalStateException.class, () -> gen.uniform_(dead, 0, 1));
        assertThrows(IllegalStateException.class, () -> gen.normal_(dead, 0, 1));
        // nothing was drawn by the refused calls
        assertEquals(new TorchGenerator(1).random(), gen.random());
    }

    // ---- the whole DummyGptModel initialization: 77,981,184 values, bit-exact via CRC-32 ----

    @Test
    void dummyGptInitialization() {
        JsonNode ref = TorchReference.load("dummy_gpt_seed123.json");
        JsonNode crc = EXTRA.get("dummy_gpt_seed123_crc32");
        TorchGenerator gen = new TorchGenerator(123);
        try (Arena arena = Arena.ofShared()) {
            Tensor tok = Tensor.allocate(arena, 50257, 768);
            Tensor pos = Tensor.allocate(arena, 1024, 768);
            Tensor head = Tensor.allocate(arena, 50257, 768);

            long t0 = System.nanoTime();
            gen.normal_(tok, 0, 1);
            long t1 = System.nanoTime();
            gen.normal_(pos, 0, 1);
            long t2 = System.nanoTime();
            gen.kaimingUniform_(head);
            long t3 = System.nanoTime();
            System.out.printf("TorchGenerator: normal_ %.1f M values/s (%d values in %.0f ms), "
                            + "kaiming_uniform_ %.1f M values/s (%d values in %.0f ms), whole init %.0f ms%n",
                    tok.size() / ((t1 - t0) / 1e3), tok.size(), (t1 - t0) / 1e6,
                    head.size() / ((t3 - t2) / 1e3), head.size(), (t3 - t2) / 1e6, (t3 - t0) / 1e6);

            assertTensor(ref.get("tok_emb"), crc.get("tok_emb").longValue(), tok, "tok_emb");
            assertTensor(ref.get("pos_emb"), crc.get("pos_emb").longValue(), pos, "pos_emb");
            assertTensor(ref.get("out_head"), crc.get("out_head").longValue(), head, "out_head");
            // and the generator is where PyTorch's is after the model's init
            assertEquals(MT.get("output_77981184").longValue(), Integer.toUnsignedLong(gen.random()));
        }
    }

    // ---- helpers ----

    private static void assertTensor(JsonNode ref, long crc32, Tensor t, String name) {
        int cols = t.shape().dim(1);
        int[] first = bits(ref.get("first_row_first8").get("bits"));
        int[] last = bits(ref.get("last_row_last8").get("bits"));
        for (int i = 0; i < 8; i++) {
            assertEquals(first[i], Float.floatToRawIntBits(t.get(i)), name + "[0][" + i + "]");
            assertEquals(last[i], Float.floatToRawIntBits(t.get(t.size() - 8 + i)), name + "[-1][" + (cols - 8 + i) + "]");
        }
        // PyTorch's double sum adds in another order: allow its rounding, far below one float ulp of any term ~1
        double sum = 0;
        for (long i = 0; i < t.size(); i++) {
            sum += t.get(i);
        }
        assertEquals(ref.get("sum_float64").doubleValue(), sum, 1e-7, name + " float64 sum");
        CRC32 c = new CRC32();
        c.update(t.segment().asByteBuffer()); // native order = little-endian on x86, like numpy's tobytes()
        assertEquals(crc32, c.getValue(), name + ": CRC-32 of all float bytes differs from PyTorch's");
    }

    private static void assertNormal(JsonNode entry, long seed, double mean, double std, String what, int n) {
        JsonNode b = entry.has("bits") ? entry.get("bits") : entry;
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, n);
            new TorchGenerator(seed).normal_(t, mean, std);
            assertBits(bits(b), t, what);
        }
    }

    private static void assertUniform(int[] expected, long seed, double from, double to, String what) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, expected.length);
            new TorchGenerator(seed).uniform_(t, from, to);
            assertBits(expected, t, what);
        }
    }

    /** One generator, successive randn(n) calls (the first one rand(n) if {@code firstIsRand}). */
    private static void assertCalls(JsonNode calls, long seed, int[] sizes, boolean firstIsRand) {
        TorchGenerator gen = new TorchGenerator(seed);
        try (Arena arena = Arena.ofConfined()) {
            for (int c = 0; c < sizes.length; c++) {
                Tensor t = Tensor.allocate(arena, sizes[c]);
                if (c == 0 && firstIsRand) {
                    gen.uniform_(t, 0, 1);
                } else {
                    gen.normal_(t, 0, 1);
                }
                assertBits(bits(calls.get(c)), t, "seed " + seed + ", call " + c + " (n=" + sizes[c] + ")");
            }
        }
    }

    private static void assertLinear(JsonNode weightBits, JsonNode biasBits, int in, int out, long seed) {
        TorchGenerator gen = new TorchGenerator(seed);
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(arena, out, in);
            Tensor b = Tensor.allocate(arena, out);
            gen.kaimingUniform_(w);
            gen.linearBiasUniform_(b, in);
            assertBits(bits(weightBits), w, "nn.Linear(" + in + ", " + out + ").weight");
            assertBits(bits(biasBits), b, "nn.Linear(" + in + ", " + out + ").bias");
        }
    }
}
