package dev.vecgpt.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.GptConfig;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.Reference;
import dev.vecgpt.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The book's chapter-5 run (seed 123, GPTModel 124M with context 256, the-verdict, batch 2, AdamW lr 4e-4 and weight
 * decay 0.1, evaluation every 5 steps over 5 batches, portable dropout) against the same run in PyTorch 1.13
 * (reference/training/book_oracle.json, from make_training_oracles.py): every evaluation's losses within 1e-3.
 * The first two evaluations run here; all ten epochs with {@code mvn -pl model -am test -Pbook-training}.
 */
class BookTrainingTest {

    private static final GptConfig BOOK = new GptConfig(50257, 256, 768, 12, 12, 0.1, false);
    private static final JsonNode ORACLE = Reference.json("training/book_oracle.json");

    /** Trains until {@code evaluations} evaluations are done or the epochs end; returns them and the samples. */
    private static List<Trainer.Evaluation> train(int epochs, int evaluations, List<String> samples) {
        String text = Reference.text("training/the-verdict.txt");
        try (GptModel model = new GptModel(BOOK, 123);
             Trainer trainer = Trainer.onText(model, text, TrainingOptions.book().withEpochs(epochs))) {
            return trainer.train(new Trainer.Listener() {
                @Override
                public void evaluated(Trainer.Evaluation e) {
                    System.err.println(e.bookLine() + "   [" + e.trainLoss() + ", " + e.valLoss() + "]");
                    if (trainer.evaluations().size() >= evaluations) {
                        trainer.stop();
                    }
                }

                @Override
                public void sampled(int epoch, String text) {
                    System.err.println(text);
                    samples.add(text);
                }
            });
        }
    }

    private static void assertAgrees(List<Trainer.Evaluation> got, int count) {
        JsonNode want = ORACLE.get("evaluations");
        assertEquals(count, got.size());
        for (int i = 0; i < count; i++) {
            JsonNode w = want.get(i);
            Trainer.Evaluation e = got.get(i);
            String at = "evaluation " + i + " (" + e.bookLine() + ")";
            assertEquals(w.get("epoch").intValue(), e.epoch(), at);
            assertEquals(w.get("step").intValue(), e.step(), at);
            assertEquals(w.get("tokens_seen").longValue(), e.tokensSeen(), at);
            assertEquals(w.get("train_loss").doubleValue(), e.trainLoss(), 1e-3, at + " train loss");
            assertEquals(w.get("val_loss").doubleValue(), e.valLoss(), 1e-3, at + " val loss");
        }
    }

    @Test
    void theFirstTwoEvaluationsArePyTorchs() {
        List<Trainer.Evaluation> got = train(1, 2, new ArrayList<>());
        assertAgrees(got, 2);
        assertEquals("Ep 1 (Step 000000): Train loss 9.781, Val loss 9.933", got.get(0).bookLine());
        assertEquals("Ep 1 (Step 000005): Train loss 8.111, Val loss 8.339", got.get(1).bookLine());
    }

    @Test
    @EnabledIfSystemProperty(named = "vecgpt.book", matches = "full")
    void allTenEpochsArePyTorchs() {
        List<String> samples = new ArrayList<>();
        List<Trainer.Evaluation> got = train(10, Integer.MAX_VALUE, samples);
        assertAgrees(got, ORACLE.get("evaluations").size());
        Tokenizer tokenizer = new Tokenizer();
        JsonNode want = ORACLE.get("samples");
        List<String> expected = new ArrayList<>();
        for (JsonNode ids : want) {
            expected.add(tokenizer.decode(TrainingTextTest.ints(ids)).replace("\n", " "));
        }
        assertEquals(expected, samples);
    }
}
