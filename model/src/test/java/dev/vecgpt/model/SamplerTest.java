package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.TorchGenerator;
import java.lang.foreign.Arena;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link Sampler} by definition and against PyTorch's draws (sampling.json, sampling_oracle.json). */
class SamplerTest {

    private static final JsonNode KNOWN = Reference.json("sampling.json");
    private static final JsonNode ORACLE = Reference.json("sampling_oracle.json");

    // ---- by definition ----

    @Test
    void greedyIsArgmaxWithTheFirstIndexOnTies() {
        Sampler greedy = Sampling.greedy().start(5);
        assertEquals(1, greedy.next(new float[] {1, 7, 3, 7, -2}));
        assertEquals(0, greedy.next(new float[] {-1, -1, -1, -1, -1}));
        assertEquals(4, greedy.next(new float[] {0, 0, 0, 0, Float.POSITIVE_INFINITY}));
    }

    /** Ties at the k-th largest stay: with k = 2 over {5, 9, 5, 1, 5}, all three 5s survive. */
    @Test
    void topKKeepsTiesAtTheKthValue() {
        Sampler s = Sampling.greedy().withTopK(2).start(5);
        float[] logits = {5, 9, 5, 1, 5};
        s.next(logits);
        float inf = Float.NEGATIVE_INFINITY;
        assertArrayEquals(new float[] {5, 9, 5, inf, 5}, logits);
        float[] distinct = {3, 1, 4, 1, 5};
        Sampling.greedy().withTopK(3).start(5).next(distinct);
        assertArrayEquals(new float[] {3, inf, 4, inf, 5}, distinct);
        float[] all = {3, 1, 4, 1, 5};
        Sampling.greedy().withTopK(5).start(5).next(all);
        assertArrayEquals(new float[] {3, 1, 4, 1, 5}, all);
    }

    /** Top-k 1 at any temperature leaves one finite logit: every draw is that token. */
    @Test
    void topKOneAlwaysDrawsTheLargest() {
        Sampler s = Sampling.random(5f, 9).withTopK(1).start(6);
        for (int i = 0; i < 200; i++) {
            assertEquals(2, s.next(new float[] {0.1f, 0.2f, 0.9f, 0.3f, 0.8f, 0.85f}));
        }
    }

    /** The logits are divided by the temperature in float32 before the softmax. */
    @Test
    void temperatureDividesTheLogits() {
        float[] logits = {1f, 2f, 3.3f, -7f};
        Sampling.random(1.4f, 1).start(4).next(logits);
        assertArrayEquals(new float[] {1f / 1.4f, 2f / 1.4f, 3.3f / 1.4f, -7f / 1.4f}, logits);
    }

    /**
     * Probabilities 0.5, 0.25, 0.125, 0.0625, ... (logits ln of them): p = 0.7 keeps the prefix 0.5 + 0.25
     * = 0.75 (the first that reaches 0.7), p = 0.76 three tokens, p = 0.9 four (0.9375), and a tiny p still
     * keeps one token. (p exactly at a prefix sum is left out: the float softmax rounds the sums.)
     */
    @Test
    void topPKeepsTheShortestPrefixReachingP() {
        float[] base = new float[6];
        int[] order = {3, 0, 5, 1, 4, 2}; // token order[r] has probability 2^-(r+1) (the last one 2^-5)
        for (int r = 0; r < 6; r++) {
            base[order[r]] = (float) Math.log(r < 5 ? Math.pow(2, -(r + 1)) : Math.pow(2, -5));
        }
        assertEquals(2, finiteAfterTopP(base, 0.7f));
        assertEquals(4, finiteAfterTopP(base, 0.9f));
        assertEquals(3, finiteAfterTopP(base, 0.76f));
        assertEquals(1, finiteAfterTopP(base, 0.01f));
        assertEquals(6, finiteAfterTopP(base, 1f));
        float[] kept = base.clone();
        Sampling.random(1f, 1).withTopP(0.7f).start(6).next(kept);
        assertTrue(Float.isFinite(kept[3]) && Float.isFinite(kept[0]), Arrays.toString(kept));
        // and with a single allowed token, every draw is it
        Sampler one = Sampling.random(1f, 3).withTopP(0.3f).start(6);
        for (int i = 0; i < 100; i++) {
            assertEquals(3, one.next(base.clone()));
        }
    }

    private static int finiteAfterTopP(float[] logits, float p) {
        float[] x = logits.clone();
        Sampling.random(1f, 1).withTopP(p).start(x.length).next(x);
        int n = 0;
        for (float v : x) {
            n += Float.isFinite(v) ? 1 : 0;
        }
        return n;
    }

    /** One draw is argmax(probs / q) with q the next vocab-many exponential_(1) values: check it from scratch. */
    @Test
    void aDrawIsArgmaxOfProbsOverExponentials() {
        float[] logits = {0.3f, -1.2f, 2.0f, 0.0f, 1.1f, 0.5f, -0.7f};
        float[] probs = new float[7];
        new TorchSoftmax().apply(logits, probs, 7);
        TorchGenerator gen = new TorchGenerator(42);
        Sampler sampler = Sampling.random(1f, 42).start(7);
        for (int step = 0; step < 50; step++) {
            float[] q = new float[7];
            gen.exponential_(q, 1.0);
            int best = 0;
            for (int i = 1; i < 7; i++) {
                if (probs[i] / q[i] > probs[best] / q[best]) {
                    best = i;
                }
            }
            assertEquals(best, sampler.next(logits.clone()), "step " + step);
        }
    }

    // ---- PyTorch known answers ----

    /** The book's chapter-5 example: 9 logits, torch.manual_seed(123); first draw "forward", then the histogram. */
    @Test
    void booksExampleDrawsPyTorchsTokens() {
        JsonNode book = KNOWN.get("multinomial_book_ch05");
        float[] logits = floats(book.get("logits"));
        float[] probs = new float[9];
        new TorchSoftmax().apply(logits, probs, 9);
        for (int i = 0; i < 9; i++) {
            assertEquals(book.get("probas_bits").get(i).intValue(), Float.floatToRawIntBits(probs[i]), "probas " + i);
        }
        assertEquals(book.get("first_sample_seed123").intValue(), Sampling.random(1f, 123).start(9).next(logits.clone()));
        assertEquals("forward", book.get("vocab").get(3).asText());
        Sampler sampler = Sampling.random(1f, 123).start(9);
        int[] histogram = new int[9];
        for (int i = 0; i < 1000; i++) {
            histogram[sampler.next(logits.clone())]++;
        }
        assertArrayEquals(new int[] {73, 0, 0, 582, 2, 0, 0, 343, 0}, histogram);
        assertArrayEquals(ints(book.get("histogram_1000_seed123")), histogram);
    }

    /** The book's example through top-k and temperature, 1,000 draws each, histograms made by PyTorch. */
    @Test
    void booksExampleWithTopKAndTemperatureMatchesPyTorch() {
        float[] logits = floats(KNOWN.get("multinomial_book_ch05").get("logits"));
        for (JsonNode c : ORACLE.get("book_example_histograms")) {
            Sampler sampler = new Sampling((float) c.get("temperature").doubleValue(), c.get("top_k").intValue(), 1f,
                    c.get("seed").longValue()).start(9);
            int[] histogram = new int[9];
            for (int i = 0; i < 1000; i++) {
                histogram[sampler.next(logits.clone())]++;
            }
            assertArrayEquals(ints(c.get("histogram")), histogram, c.toString());
        }
    }

    /**
     * {@code torch.manual_seed(7); p = softmax(randn(50257) * 3)}, then seed 123 and 10 multinomial draws.
     * The logits are made in Java with TorchGenerator (PyTorch's randn bit for bit); the softmax must give
     * PyTorch's p bit for bit (CRC32 of all 50,257 values from the oracle), and the draws must be PyTorch's.
     */
    @Test
    void tenDrawsFromA50257WayDistribution() {
        JsonNode known = KNOWN.get("multinomial_50257_seed123");
        float[] logits = seven3();
        float[] p = new float[50257];
        new TorchSoftmax().apply(logits, p, p.length);
        for (int i = 0; i < 8; i++) {
            assertEquals(known.get("p_bits_first8").get(i).intValue(), Float.floatToRawIntBits(p[i]), "p[" + i + "]");
        }
        assertEquals(ORACLE.get("softmax_50257_seed7").get("crc32_bits").longValue(), crc(p), "CRC32 of all p bits");
        Sampler sampler = Sampling.random(1f, 123).start(50257);
        int[] draws = new int[10];
        for (int i = 0; i < 10; i++) {
            draws[i] = sampler.next(logits.clone());
        }
        assertArrayEquals(ints(known.get("draws")), draws);
    }

    /** The same logits through top-k and temperature, as the book's generate step, 20 draws each. */
    @Test
    void generateStepsOn50257LogitsMatchPyTorch() {
        float[] logits = seven3();
        for (JsonNode c : ORACLE.get("generate_steps_50257_seed7")) {
            Sampler sampler = new Sampling((float) c.get("temperature").doubleValue(), c.get("top_k").intValue(), 1f,
                    c.get("seed").longValue()).start(50257);
            int[] draws = new int[c.get("draws").size()];
            for (int i = 0; i < draws.length; i++) {
                draws[i] = sampler.next(logits.clone());
            }
            assertArrayEquals(ints(c.get("draws")), draws, c.toString());
        }
    }

    @Test
    void softmaxIsPyTorchsBitForBit() {
        for (JsonNode row : ORACLE.get("softmax_rows")) {
            float[] x = floatsFromBits(row.get("x_bits"));
            float[] p = new float[x.length];
            new TorchSoftmax().apply(x, p, x.length);
            int[] expected = ints(row.get("p_bits"));
            for (int i = 0; i < x.length; i++) {
                assertEquals(expected[i], Float.floatToRawIntBits(p[i]), "n = " + x.length + ", p[" + i + "]");
            }
        }
    }

    @Test
    void differentSeedsDrawDifferently() {
        float[] logits = seven3();
        int[] a = new int[5];
        int[] b = new int[5];
        Sampler s1 = Sampling.random(1f, 123).start(50257);
        Sampler s2 = Sampling.random(1f, 124).start(50257);
        for (int i = 0; i < 5; i++) {
            a[i] = s1.next(logits.clone());
            b[i] = s2.next(logits.clone());
        }
        assertNotEquals(Arrays.toString(a), Arrays.toString(b));
    }

    /**
     * Steady state allocates nothing: one float[50257] would be 201 KB, the bound is 16 KB for 50 steps.
     * (Reflection, because this module does not read jdk.management, which the test run resolves anyway.)
     */
    @Test
    void stepsDoNotAllocate() throws ReflectiveOperationException {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        java.lang.reflect.Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getThreadAllocatedBytes", long.class);
        float[] source = seven3();
        float[] logits = new float[source.length];
        long id = Thread.currentThread().threadId();
        for (Sampling s : new Sampling[] {Sampling.greedy().withTopK(50), Sampling.random(1.4f, 1).withTopK(25),
                Sampling.random(0.8f, 2).withTopP(0.9f)}) {
            Sampler sampler = s.start(source.length);
            for (int i = 0; i < 20; i++) { // warm up
                System.arraycopy(source, 0, logits, 0, source.length);
                sampler.next(logits);
            }
            long before = (long) allocatedBytes.invoke(threads, id);
            for (int i = 0; i < 50; i++) {
                System.arraycopy(source, 0, logits, 0, source.length);
                sampler.next(logits);
            }
            long allocated = (long) allocatedBytes.invoke(threads, id) - before;
            assertTrue(allocated < 16_384, s + " allocated " + allocated + " bytes in 50 steps");
        }
    }

    /** randn(50257) * 3 after manual_seed(7), in float32. */
    private static float[] seven3() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, 50257);
            new TorchGenerator(7).normal_(t, 0, 1);
            float[] x = t.toArray();
            for (int i = 0; i < x.length; i++) {
                x[i] = x[i] * 3f;
            }
            return x;
        }
    }

    static long crc(float[] values) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        crc.update(buf.array());
        return crc.getValue();
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).doubleValue();
        }
        return out;
    }

    static float[] floatsFromBits(JsonNode intArray) {
        float[] out = new float[intArray.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat(intArray.get(i).intValue());
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
}
