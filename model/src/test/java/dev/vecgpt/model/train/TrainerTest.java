package dev.vecgpt.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.Reference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The training loop's bookkeeping on a small model (the book's numbers are BookTrainingTest's). */
class TrainerTest {

    static final GptConfig SMALL = new GptConfig(50257, 32, 16, 2, 2, 0.1, false);
    static final String VERDICT = Reference.text("training/the-verdict.txt");

    static TrainingOptions small(int epochs) {
        return new TrainingOptions(epochs, 4, 32, 32, 1e-2, 0.1, 0, 10, 3, "Every effort moves you", 5,
                Dropout.Mode.PORTABLE);
    }

    private static List<Trainer.Evaluation> run(TrainingOptions options, List<String> samples, int[] steps) {
        try (GptModel model = new GptModel(SMALL, 123); Trainer trainer = Trainer.onText(model, VERDICT, options)) {
            return trainer.train(new Trainer.Listener() {
                @Override
                public void stepped(int epoch, int step, float loss, long tokensSeen) {
                    steps[0]++;
                    assertEquals((long) (step + 1) * 4 * 32, tokensSeen);
                }

                @Override
                public void sampled(int epoch, String text) {
                    samples.add(text);
                }
            });
        }
    }

    @Test
    void evaluatesEveryEvalFreqStepsAndSamplesEachEpoch() {
        List<String> samples = new ArrayList<>();
        int[] steps = new int[1];
        List<Trainer.Evaluation> evals = run(small(2), samples, steps);
        // 4612 training tokens: 144 windows of 32, 36 batches of 4 per epoch
        assertEquals(72, steps[0]);
        assertEquals(8, evals.size()); // steps 0, 10, ..., 70
        for (int i = 0; i < evals.size(); i++) {
            assertEquals(10 * i, evals.get(i).step());
            assertEquals(evals.get(i).step() < 36 ? 1 : 2, evals.get(i).epoch());
        }
        assertTrue(evals.getLast().trainLoss() < evals.getFirst().trainLoss() - 1,
                "the training loss falls: " + evals.getFirst() + " → " + evals.getLast());
        assertEquals(2, samples.size());
        assertTrue(samples.getFirst().startsWith("Every effort moves you"), samples.getFirst());
        assertEquals(run(small(2), new ArrayList<>(), new int[1]), evals, "the same seed gives the same run");
    }

    @Test
    void bookLinesRoundAsPython() {
        assertEquals("Ep 1 (Step 000000): Train loss 9.781, Val loss 9.933",
                new Trainer.Evaluation(1, 0, 9.781001853942872, 9.932808876037598, 512).bookLine());
        assertEquals("0.125", Trainer.Evaluation.threeDecimals(0.125)); // a tie: half to even
        assertEquals("0.126", Trainer.Evaluation.threeDecimals(0.1255)); // 0.12550000000000000044 in binary
        assertEquals("nan", Trainer.Evaluation.threeDecimals(Double.NaN));
        assertNotEquals("0.126", Trainer.Evaluation.threeDecimals(0.1254999));
    }

    @Test
    void aTextWithoutOneBatchIsRefusedWithItsCounts() {
        try (GptModel model = new GptModel(SMALL, 123)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.onTexts(model, "Every effort moves you", VERDICT, small(1)));
            assertEquals("the training text has 4 tokens, fewer than the 129 that one batch of 4 windows of 32 tokens "
                    + "(stride 32) needs", e.getMessage());
        }
    }
}
