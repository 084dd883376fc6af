package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scores against PyTorch (score_oracle.json, made by make_sampling_oracles.py): the seeded book model in
 * eval mode, the book's windows, {@code F.cross_entropy(logits.flatten(0, 1), targets.flatten())}, within
 * 1e-5 relative. Texts (reference/score/): short.txt, 302 tokens (1 window at context 256), and
 * long.txt, 1,279 tokens (4 or 8 windows at 256, 1 or 2 at 1024).
 */
class ScoreOracleTest {

    private static final JsonNode ORACLE = Reference.json("score_oracle.json");
    private static final JsonNode IDS = Reference.json("score/ids.json");

    /** The oracle was fed these ids; the Java tokenizer must still produce them from the texts. */
    @Test
    void textsTokenizeToTheOraclesIds() {
        Tokenizer tokenizer = new Tokenizer();
        for (String name : new String[] {"short.txt", "long.txt"}) {
            assertArrayEquals(SamplerTest.ints(IDS.get(name)), tokenizer.encode(Reference.text("score/" + name)), name);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 1024})
    void crossEntropyIsPyTorchs(int contextLength) {
        int checked = 0;
        try (GptModel model = new GptModel(config(contextLength), 123).eval()) {
            for (JsonNode c : ORACLE.get("cases")) {
                if (c.get("context_length").intValue() != contextLength) {
                    continue;
                }
                int[] ids = SamplerTest.ints(IDS.get(c.get("text").asText()));
                int stride = c.get("stride").intValue();
                ScoreWindows windows = ScoreWindows.of(ids, contextLength, stride);
                int[] starts = new int[windows.count()];
                for (int w = 0; w < starts.length; w++) {
                    starts[w] = windows.start(w);
                }
                String what = c.get("text").asText() + ", context " + contextLength + ", stride " + stride;
                assertArrayEquals(SamplerTest.ints(c.get("window_starts")), starts, what + ": windows");
                CrossEntropy ce = score(model, windows);
                assertEquals(windows.targetCount(), ce.count(), what);
                double expected = c.get("cross_entropy").doubleValue();
                assertEquals(expected, ce.mean(), 1e-5 * expected, what + ": cross-entropy");
                assertEquals(c.get("perplexity").doubleValue(), ce.perplexity(),
                        1e-5 * c.get("perplexity").doubleValue() * expected * 1.1, what + ": perplexity");
                checked++;
            }
        }
        assertTrue(checked >= 2, "only " + checked + " cases for context " + contextLength);
    }

    @Test
    void aTextShorterThanOneWindowIsRefused() {
        int[] ids = SamplerTest.ints(IDS.get("short.txt"));
        var e = assertThrows(IllegalArgumentException.class, () -> ScoreWindows.of(ids, 1024));
        assertTrue(e.getMessage().contains("302 tokens") && e.getMessage().contains("at least 1025"), e.getMessage());
    }

    /** Mean nats over every target of every window (eval, no cache): the one helper to port to sessions. */
    private static CrossEntropy score(GptModel model, ScoreWindows windows) {
        int vocab = model.config().vocabSize();
        CrossEntropy ce = new CrossEntropy();
        float[] rows = new float[windows.length() * vocab];
        for (int w = 0; w < windows.count(); w++) {
            int[] targets = windows.targets(w);
            try (Arena arena = Arena.ofShared()) { // shared: the kernels may write with their threads
                Tensor logits = model.forward(new int[][] {windows.inputs(w)}, arena);
                MemorySegment.copy(logits.segment(), Tensor.FLOAT, 0, rows, 0, rows.length);
            }
            for (int t = 0; t < targets.length; t++) {
                ce.add(rows, t * vocab, vocab, targets[t]);
            }
        }
        return ce;
    }

    private static GptConfig config(int contextLength) {
        GptConfig b = GptConfig.GPT_CONFIG_124M;
        return new GptConfig(b.vocabSize(), contextLength, b.embDim(), b.nHeads(), b.nLayers(), b.dropRate(), b.qkvBias());
    }
}
