package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GptSession#score} against cross-entropy computed by definition from full logits, and fed in pieces. */
class ScoreTest {

    private static final GptConfig SMALL = new GptConfig(97, 16, 32, 4, 2, 0.1, true);
    private static GptModel model;
    private static GptSession session;
    private static int[] text;

    @BeforeAll
    static void build() {
        model = new GptModel(SMALL, 11);
        session = model.newSession();
        text = new SplittableRandom(3).ints(75, 0, SMALL.vocabSize()).toArray();
    }

    @AfterAll
    static void free() {
        session.close();
        model.close();
    }

    /** The book's windows and mean cross-entropy, from the logits of one forward pass per window. */
    private static double byDefinition(int[] ids, int length, int stride) {
        return byDefinition(session, ids, length, stride);
    }

    private static double byDefinition(GptSession session, int[] ids, int length, int stride) {
        double sum = 0;
        int count = 0;
        try (Arena arena = Arena.ofShared()) {
            for (int i = 0; i < ids.length - length; i += stride) {
                Tensor logits = session.forward(new int[][] {Arrays.copyOfRange(ids, i, i + length)}, arena);
                for (int t = 0; t < length; t++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < SMALL.vocabSize(); v++) {
                        max = Math.max(max, logits.get(0, t, v));
                    }
                    double z = 0;
                    for (int v = 0; v < SMALL.vocabSize(); v++) {
                        z += Math.exp(logits.get(0, t, v) - max);
                    }
                    sum += Math.log(z) + max - logits.get(0, t, ids[i + t + 1]);
                    count++;
                }
            }
        }
        return sum / count;
    }

    @Test
    void scoreIsTheMeanCrossEntropyOfTheBooksWindows() {
        for (int[] ls : new int[][] {{16, 16, 1}, {16, 16, 3}, {16, 5, 2}, {8, 20, 4}, {1, 1, 7}}) {
            ScoreWindows scoring = new ScoreWindows(ls[0], ls[1], ls[2]);
            Score score = session.score(text, scoring);
            int windows = (text.length - ls[0] + ls[1] - 1) / ls[1];
            assertEquals(75, score.tokens());
            assertEquals((long) windows * ls[0], score.targets(), Arrays.toString(ls));
            double expected = byDefinition(text, ls[0], ls[1]);
            assertEquals(expected, score.crossEntropy(), 1e-6 * expected, Arrays.toString(ls));
            assertEquals(Math.exp(score.crossEntropy()), score.perplexity(), 0);
        }
    }

    /** Logits hundreds apart: many targets' float32 probabilities are below 1e-30, and are scored exactly. */
    @Test
    void improbableTargetsAreScoredExactly(@TempDir Path dir) throws IOException {
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> tensors = HuggingFaceGpt2Test.checkpoint(SMALL, arena, "");
            Tensor finalScale = tensors.get("ln_f.weight");
            for (long i = 0; i < finalScale.size(); i++) {
                finalScale.set(i, 80f);
            }
            Path file = HuggingFaceGpt2Test.write(dir.resolve("sharp.safetensors"), tensors, SMALL);
            try (GptModel sharp = GptModel.load(file); GptSession s = sharp.newSession()) {
                Score score = s.score(text, new ScoreWindows(16, 16, 2));
                double expected = byDefinition(s, text, 16, 16);
                assertTrue(expected > 69, "mean nats " + expected + ": targets of probability below e^-69");
                assertEquals(expected, score.crossEntropy(), 1e-6 * expected);
            }
        }
    }

    @Test
    void aTextFedInPiecesScoresAsAWhole() {
        ScoreWindows scoring = new ScoreWindows(16, 5, 2);
        Score whole = session.score(text, scoring);
        try (Scorer scorer = session.scorer(scoring)) {
            for (int i = 0; i < text.length; i += 7) {
                scorer.accept(Arrays.copyOfRange(text, i, Math.min(text.length, i + 7)));
            }
            assertEquals(whole, scorer.finish());
        }
    }

    @Test
    void badTextsAndOptionsAreRefused() {
        IllegalArgumentException shortText = assertThrows(IllegalArgumentException.class,
                () -> session.score(Arrays.copyOf(text, 16), ScoreWindows.DEFAULT));
        assertEquals("the text has 16 tokens; scoring needs at least 17 (a window of 16 and its next token)",
                shortText.getMessage());
        assertThrows(IllegalArgumentException.class, () -> session.score(new int[] {1, 2, 97}, new ScoreWindows(1, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> session.score(text, new ScoreWindows(17, 0, 1)));
        assertThrows(IllegalArgumentException.class, () -> new ScoreWindows(8, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ScoreWindows(8, 1, 0));
    }
}
