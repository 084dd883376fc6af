package dev.vecgpt.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.model.GptModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's training example as written there, on a model of the book's shape but 16 wide and 1 block deep. */
class TrainingReadmeExampleTest {

    @Test
    void theTrainingExampleRuns(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("the-verdict.txt"), TrainerTest.VERDICT);
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true);
        Path verdict = dir.resolve("the-verdict.txt");
        Path losses = dir.resolve("losses.svg");
        GptConfig config = new GptConfig(50257, 256, 16, 2, 1, 0.1, false); // the README: 768, 12, 12
        // --- as in the README, with System.out as out and the files in dir ---
        try (GptModel model = new GptModel(config, 123);
             Trainer trainer = Trainer.onText(model, Files.readString(verdict), TrainingOptions.book())) {
            trainer.train(new Trainer.Listener() {
                @Override public void evaluated(Trainer.Evaluation e) { out.println(e.bookLine()); }
                @Override public void sampled(int epoch, String text) { out.println(text); }
            });
            LossPlot.write(losses, trainer.evaluations(), trainer.options().epochs());
        }
        // ---
        List<String> lines = printed.toString().lines().toList();
        assertEquals(18 + 10, lines.size()); // 90 steps: evaluations at 0, 5, ..., 85; a sample per epoch
        assertTrue(lines.getFirst().startsWith("Ep 1 (Step 000000): Train loss "), lines.getFirst());
        assertTrue(lines.getLast().startsWith("Every effort moves you"), lines.getLast());
        assertTrue(Files.readString(losses).contains("Validation loss"));
    }
}
