package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.GptConfig;
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
        try (GptModel model = new GptModel(config(contextLength), 123); GptSession session = model.newSession()) {
            for (JsonNode c : ORACLE.get("cases")) {
                if (c.get("context_length").intValue() != contextLength) {
                    continue;
                }
                int[] ids = SamplerTest.ints(IDS.get(c.get("text").asText()));
                int stride = c.get("stride").intValue();
                String what = c.get("text").asText() + ", context " + contextLength + ", stride " + stride;
                Score score = session.score(ids, new ScoreWindows(contextLength, stride, 2));
                assertEquals((long) c.get("window_starts").size() * contextLength, score.targets(), what + ": targets");
                double expected = c.get("cross_entropy").doubleValue();
                assertEquals(expected, score.crossEntropy(), 1e-5 * expected, what + ": cross-entropy");
                double perplexity = c.get("perplexity").doubleValue();
                assertEquals(perplexity, score.perplexity(), 1.1e-5 * expected * perplexity, what + ": perplexity");
                checked++;
            }
        }
        assertTrue(checked >= 2, "only " + checked + " cases for context " + contextLength);
    }

    @Test
    void aTextShorterThanOneWindowIsRefused() {
        int[] ids = SamplerTest.ints(IDS.get("short.txt"));
        try (GptModel model = new GptModel(config(1024), 123); GptSession session = model.newSession()) {
            var e = assertThrows(IllegalArgumentException.class, () -> session.score(ids, ScoreWindows.DEFAULT));
            assertEquals("the text has 302 tokens; scoring needs at least 1025 (a window of 1024 and its next token)",
                    e.getMessage());
        }
    }

    private static GptConfig config(int contextLength) {
        GptConfig b = GptConfig.GPT_CONFIG_124M;
        return new GptConfig(b.vocabSize(), contextLength, b.embDim(), b.nHeads(), b.nLayers(), b.dropRate(), b.qkvBias());
    }
}
