package dev.vecgpt.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The book's chapter-5 run (seed 123, context 256, the-verdict, batch 2, AdamW lr 4e-4 and weight decay 0.1,
 * evaluation every 5 steps over 5 batches, portable dropout) against the same run in PyTorch 1.13, made by
 * make_training_oracles.py: every step's and evaluation's losses, and the samples. In CI on a model of the
 * book's shape 16 wide with 2 blocks (all ten epochs within 1e-4, reference/training/small_book_oracle.json); on the
 * book's GPTModel 124M within 1e-3 (reference/training/book_oracle.json) with {@code mvn -pl model -am test -Pbook-training}.
 */
class BookTrainingTest {

    private static final GptConfig BOOK = new GptConfig(50257, 256, 768, 12, 12, 0.1, false);
    private static final GptConfig SMALL = new GptConfig(50257, 256, 16, 2, 2, 0.1, false);

    /** Trains {@code epochs} epochs of the book's run on {@code config}; returns the evaluations, samples and step losses. */
    private static List<Trainer.Evaluation> train(GptConfig config, int epochs, List<String> samples,
                                                  List<Float> stepLosses) {
        String text = Reference.text("training/the-verdict.txt");
        try (GptModel model = new GptModel(config, 123);
             Trainer trainer = Trainer.onText(model, text, TrainingOptions.book().withEpochs(epochs))) {
            return trainer.train(new Trainer.Listener() {
                @Override
                public void stepped(int epoch, int step, float loss, long tokensSeen) {
                    stepLosses.add(loss);
                }

                @Override
                public void evaluated(Trainer.Evaluation e) {
                    System.err.println(e.bookLine() + "   [" + e.trainLoss() + ", " + e.valLoss() + "]");
                }

                @Override
                public void sampled(int epoch, String text) {
                    System.err.println(text);
                    samples.add(text);
                }
            });
        }
    }

    /**
     * The run of {@code config} agrees with PyTorch's in every sample of {@code oracle}, and within {@code tolerance}
     * in every evaluation and every step's training loss (which the dropout masks and the batch order decide).
     */
    private static List<Trainer.Evaluation> assertAgrees(GptConfig config, String oracle, double tolerance) {
        JsonNode ref = Reference.json("training/" + oracle);
        assertTrue(ref.get("complete").booleanValue(), oracle + " is not complete: run make_training_oracles.py");
        List<String> samples = new ArrayList<>();
        List<Float> stepLosses = new ArrayList<>();
        List<Trainer.Evaluation> got = train(config, 10, samples, stepLosses);
        JsonNode steps = ref.get("step_losses");
        assertEquals(steps.size(), stepLosses.size());
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(steps.get(i).doubleValue(), stepLosses.get(i), tolerance, "step " + i + "'s loss");
        }
        JsonNode want = ref.get("evaluations");
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            JsonNode w = want.get(i);
            Trainer.Evaluation e = got.get(i);
            String at = "evaluation " + i + " (" + e.bookLine() + ")";
            assertEquals(w.get("epoch").intValue(), e.epoch(), at);
            assertEquals(w.get("step").intValue(), e.step(), at);
            assertEquals(w.get("tokens_seen").longValue(), e.tokensSeen(), at);
            assertEquals(w.get("train_loss").doubleValue(), e.trainLoss(), tolerance, at + " train loss");
            assertEquals(w.get("val_loss").doubleValue(), e.valLoss(), tolerance, at + " val loss");
        }
        Tokenizer tokenizer = new Tokenizer();
        List<String> expected = new ArrayList<>();
        for (JsonNode ids : ref.get("samples")) {
            expected.add(tokenizer.decode(TrainingTextTest.ints(ids)).replace("\n", " "));
        }
        assertEquals(expected, samples);
        return got;
    }

    @Test
    void theBooksRunOnASmallModelIsPyTorchs() {
        assertAgrees(SMALL, "small_book_oracle.json", 1e-4);
    }

    @Test
    @EnabledIfSystemProperty(named = "vecgpt.book", matches = "full")
    void theBooksRunIsPyTorchs() {
        List<Trainer.Evaluation> got = assertAgrees(BOOK, "book_oracle.json", 1e-3);
        assertEquals("Ep 1 (Step 000000): Train loss 9.781, Val loss 9.933", got.get(0).bookLine());
        assertEquals("Ep 1 (Step 000005): Train loss 8.111, Val loss 8.339", got.get(1).bookLine());
    }
}
