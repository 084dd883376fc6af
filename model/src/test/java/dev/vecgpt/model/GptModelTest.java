package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code torch.manual_seed(123); GPTModel(GPT_CONFIG_124M)} against PyTorch's known answers. */
class GptModelTest {

    private static final JsonNode KNOWN = Reference.json("gpt2_seed123.json");
    private static final int[][] HELLO_I_AM = {{15496, 11, 314, 716}};
    private static GptModel model;
    private static GptSession session;

    @BeforeAll
    static void build() {
        model = new GptModel(GptConfig.GPT_CONFIG_124M, 123);
        session = model.newSession();
    }

    @AfterAll
    static void free() {
        session.close();
        model.close();
    }

    private static int[] greedy(GptSession session, int[] prompt, int tokens, boolean useCache) {
        return session.generate(prompt, Generation.greedy(tokens), t -> true, useCache);
    }

    @Test
    void parameterCountIsPyTorchs() {
        assertEquals(163_009_536L, model.parameterCount());
        assertEquals(KNOWN.get("parameter_count").longValue(), model.parameterCount());
    }

    @Test
    void parametersAreBitForBitPyTorchsInRegistrationOrder() {
        JsonNode known = KNOWN.get("parameters");
        var names = model.parameterNames();
        int previous = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = known.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            int position = names.indexOf(name);
            assertTrue(position > previous, name + " is registered out of PyTorch's order");
            previous = position;
            try (Arena arena = Arena.ofConfined()) {
                Tensor p = model.parameter(name, arena);
                int[] shape = new int[e.getValue().get("shape").size()];
                Arrays.setAll(shape, i -> e.getValue().get("shape").get(i).intValue());
                assertEquals(Shape.of(shape), p.shape(), name);
                float[] first8 = Arrays.copyOf(p.toArray(), 8);
                assertArrayEquals(Reference.floatsFromBits(e.getValue().get("first8").get("bits")),
                        Arrays.copyOf(first8, Math.min(8, (int) p.size())), name + " first values");
                double sum = 0;
                for (long i = 0; i < p.size(); i++) {
                    sum += p.get(i);
                }
                double expected = e.getValue().get("sum_float64").doubleValue();
                assertEquals(expected, sum, 1e-9 * Math.max(1, Math.abs(expected)), name + " sum");
            }
        }
        assertEquals("out_head.weight", names.get(names.size() - 1));
    }

    @Test
    void evalLogitsMatchPyTorch() {
        try (Arena arena = Arena.ofShared()) {
            Tensor logits = session.forward(HELLO_I_AM, arena);
            assertEquals(Shape.of(1, 4, 50257), logits.shape());
            float[] expected = Reference.floatsFromBits(KNOWN.get("eval_logits_corners").get("bits"));
            int i = 0;
            for (int t = 0; t < 4; t++) {
                for (int c : new int[] {0, 1, 2, 50254, 50255, 50256}) {
                    assertEquals(expected[i++], logits.get(0, t, c), 1e-4f, "logit [0, " + t + ", " + c + "]");
                }
            }
            double sum = 0;
            for (long j = 0; j < logits.size(); j++) {
                sum += logits.get(j);
            }
            assertEquals(KNOWN.get("eval_logits_sum_float64").doubleValue(), sum, 0.5);
        }
    }

    @Test
    void evalIsDeterministicForAnyThreadCount() {
        try (GptModel oneThread = new GptModel(GptConfig.GPT_CONFIG_124M, 123, ModelOptions.DEFAULT.withThreads(1));
             GptSession single = oneThread.newSession();
             Arena arena = Arena.ofShared()) {
            Tensor a = session.forward(HELLO_I_AM, arena);
            Tensor b = session.forward(HELLO_I_AM, arena);
            Tensor c = single.forward(HELLO_I_AM, arena);
            assertEquals(-1, a.segment().mismatch(b.segment()), "same input, same bits");
            assertEquals(-1, a.segment().mismatch(c.segment()), "1 thread and all threads, same bits");
        }
    }

    @Test
    void cachedAndUncachedGenerationGiveTheSameTokens() {
        int[] cached = greedy(session, HELLO_I_AM[0], 10, true);
        int[] uncached = greedy(session, HELLO_I_AM[0], 10, false);
        assertArrayEquals(uncached, cached);
        assertArrayEquals(HELLO_I_AM[0], Arrays.copyOf(cached, 4));
        assertEquals(14, cached.length);
    }

    /**
     * Generation's first pass runs the last block for the last position only: its logits are the full
     * pass's last row, bit for bit, on every kernel set and weight format, with and without the cache.
     */
    @Test
    void thePromptPassGivesTheFullPassLastLogits() {
        assertLastLogitsAreForwards(session, HELLO_I_AM[0]);
        GptConfig tiny = new GptConfig(97, 40, 64, 4, 3, 0.1, true);
        int[] prompt = new SplittableRandom(5).ints(37, 0, 97).toArray();
        try (Kernels scalar = KernelProvider.byName("scalar")) {
            for (Kernels kernels : new Kernels[] {model.kernels(), scalar}) {
                for (WeightFormat format : WeightFormat.values()) {
                    try (GptModel small = new GptModel(tiny, 7,
                            ModelOptions.DEFAULT.withKernels(kernels).withFormat(format));
                         GptSession s = small.newSession()) {
                        for (int length : new int[] {1, 2, 5, 37}) {
                            assertLastLogitsAreForwards(s, Arrays.copyOf(prompt, length));
                        }
                    }
                }
            }
        }
    }

    private static void assertLastLogitsAreForwards(GptSession s, int[] prompt) {
        try (Arena arena = Arena.ofShared()) {
            Tensor all = s.forward(new int[][] {prompt}, arena);
            int vocab = all.shape().dim(2);
            float[] expected = Arrays.copyOfRange(all.toArray(), (prompt.length - 1) * vocab, prompt.length * vocab);
            for (boolean useCache : new boolean[] {true, false}) {
                s.clearCache(); // the whole prompt, not just what an earlier call left uncached
                greedy(s, prompt, 1, useCache);
                assertArrayEquals(expected, s.lastLogits(), s.model().kernels().name() + ", "
                        + s.model().format() + ", " + prompt.length + " tokens, cache " + useCache);
            }
        }
    }

    /** A tiny model whose context (8) fills up, so generation crosses the crop-and-reread path. */
    @Test
    void cachedGenerationPastTheContextLengthMatchesUncached() {
        GptConfig tiny = new GptConfig(97, 8, 32, 4, 2, 0.1, true);
        try (GptModel small = new GptModel(tiny, 7); GptSession s = small.newSession()) {
            int[] prompt = {5, 17, 3};
            assertArrayEquals(greedy(s, prompt, 20, false), greedy(s, prompt, 20, true));
            int[] longPrompt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
            assertArrayEquals(greedy(s, longPrompt, 5, false), greedy(s, longPrompt, 5, true));
        }
    }

    /** The scalar reference runs the model too (its packed weights outlive the weights they were made from). */
    @Test
    void theScalarKernelsRunTheModelCloseToTheSimdOnes() {
        GptConfig tiny = new GptConfig(97, 8, 32, 4, 2, 0.1, true);
        try (Kernels scalar = KernelProvider.byName("scalar");
             GptModel reference = new GptModel(tiny, 7, ModelOptions.DEFAULT.withKernels(scalar));
             GptModel fast = new GptModel(tiny, 7);
             GptSession a = reference.newSession();
             GptSession b = fast.newSession();
             Arena arena = Arena.ofShared()) {
            Tensor expected = a.forward(new int[][] {{5, 17, 3, 96}}, arena);
            Tensor actual = b.forward(new int[][] {{5, 17, 3, 96}}, arena);
            for (long i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), actual.get(i), 1e-4f, "logit " + i);
            }
        }
    }

    /** The logits do not depend on the thread count, so neither do the draws. */
    @Test
    void samplingDrawsTheSameTokensOnOneThreadAsOnAll() {
        Generation sampled = Generation.of(8, Sampling.random(1.4f, 123).withTopK(25));
        try (GptModel oneThread = new GptModel(GptConfig.GPT_CONFIG_124M, 123, ModelOptions.DEFAULT.withThreads(1));
             GptSession single = oneThread.newSession()) {
            assertArrayEquals(session.generate(HELLO_I_AM[0], sampled), single.generate(HELLO_I_AM[0], sampled));
        }
    }

    @Test
    void badGenerationInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> session.generate(new int[] {15496, 50257}, Generation.greedy(3)));
        assertThrows(IllegalArgumentException.class, () -> session.generate(new int[0], Generation.greedy(3)));
        assertThrows(IllegalArgumentException.class, () -> Generation.greedy(-1));
        assertThrows(IllegalArgumentException.class,
                () -> session.generate(HELLO_I_AM[0], Generation.greedy(3).stopAt(-1)));
        assertArrayEquals(HELLO_I_AM[0], session.generate(HELLO_I_AM[0], Generation.greedy(0)));
    }
}
