package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.Reference;
import dev.vecgpt.model.train.Trainer;
import dev.vecgpt.model.train.TrainingCheckpoint;
import dev.vecgpt.model.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vecgpt train} on a small model: its output, checkpoints, resuming, and every refusal before any work. */
class TrainCommandTest {

    @TempDir
    static Path dir;
    static Path verdict;
    static Path trainText;
    static Path valText;
    static Path small;

    /** A checkpoint of a small model of the book's layout (context 32), untrained, to fine-tune from. */
    @BeforeAll
    static void smallCheckpoint() throws IOException {
        verdict = dir.resolve("the-verdict.txt");
        String text = Reference.text("training/the-verdict.txt");
        Files.writeString(verdict, text);
        trainText = Files.writeString(dir.resolve("train.txt"), text.substring(0, 3000)); // 5 batches of 4 × 32
        valText = Files.writeString(dir.resolve("val.txt"), text.substring(3000, 4000));
        small = dir.resolve("small.safetensors");
        GptConfig config = new GptConfig(50257, 32, 16, 2, 2, 0.1, false);
        TrainingOptions options = new TrainingOptions(1, 4, 32, 32, 1e-2, 0.1, 0, 10, 3, "Every", 5,
                Dropout.Mode.PORTABLE);
        try (GptModel model = new GptModel(config, 7); Trainer trainer = Trainer.onText(model,
                Reference.text("training/the-verdict.txt"), options)) {
            TrainingCheckpoint.save(small, trainer, "untrained");
        }
    }

    /** The small run's options, fine-tuning the small checkpoint. */
    private static String[] train(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--weights", small.toString()));
        args.addAll(List.of(more));
        return resumable(args.toArray(String[]::new));
    }

    /** The small run's options without --weights. */
    private static String[] resumable(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--train", trainText.toString(), "--val",
                valText.toString(), "--context-length", "32", "--batch", "4", "--lr", "1e-2", "--eval-freq", "2",
                "--eval-iter", "3", "--dropout-mode", "portable", "--threads", "2"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void trainsSavesResumesAndTheCheckpointGeneratesAndScores() throws IOException {
        Path saved = dir.resolve("after1.safetensors");
        Path plot = dir.resolve("losses.svg");
        Cli one = Cli.run(train("--epochs", "1", "--save", saved.toString(), "--plot", plot.toString()));
        assertEquals(0, one.status(), one.err());
        List<String> lines = one.out().lines().toList();
        int evaluations = lines.size() - 1;
        assertEquals(List.of("Ep 1 (Step 000000)", "Ep 1 (Step 000002)", "Ep 1 (Step 000004)"),
                lines.subList(0, 3).stream().map(l -> l.substring(0, l.indexOf(':'))).toList(), one.out());
        assertEquals(3, evaluations, one.out()); // 5 steps: evaluations after steps 0, 2 and 4
        assertTrue(lines.get(3).startsWith("Every effort moves you"), lines.get(3));
        assertTrue(one.err().contains("saved " + saved + " after epoch 1"), one.err());
        assertTrue(Files.readString(plot).startsWith("<svg"));
        assertFalse(Files.exists(dir.resolve("after1.safetensors.tmp")));

        Cli resumed = Cli.run(resumable("--epochs", "2", "--resume", saved.toString()));
        Cli straight = Cli.run(train("--epochs", "2"));
        assertEquals(0, resumed.status(), resumed.err());
        assertEquals(0, straight.status(), straight.err());
        List<String> all = straight.out().lines().toList();
        assertEquals(all.subList(0, 4), lines, "the first epoch again");
        assertEquals(all.subList(4, all.size()), resumed.out().lines().toList(), "the resumed epoch is the straight run's");

        Cli generated = Cli.run("generate", "--weights", saved.toString(), "--tokens", "3", "Every effort");
        assertEquals(0, generated.status(), generated.err());
        Cli scored = Cli.run("score", "--weights", saved.toString(), verdict.toString());
        assertEquals(0, scored.status(), scored.err());
    }

    private static void refused(String expected, String... args) {
        Cli cli = Cli.run(args);
        assertEquals(2, cli.status(), cli.err());
        assertEquals("", cli.out());
        assertEquals(1, cli.err().lines().count(), cli.err());
        assertTrue(cli.err().contains(expected), "expected '" + expected + "' in: " + cli.err());
    }

    @Test
    void badInputIsOneLineAndStatusTwo() throws IOException {
        Path shortText = Files.writeString(dir.resolve("short.txt"), "Every effort moves you. ".repeat(20));
        refused("the training part (first 90 %) of " + shortText + " has 91 tokens, fewer than the 513 that one batch"
                + " of 2 windows of 256 tokens (stride 256) needs", "train", "--text", shortText.toString());
        refused("--epochs 0: must be 1 or more", "train", "--text", verdict.toString(), "--epochs", "0");
        refused("--lr 0.0: must be a number > 0", "train", "--text", verdict.toString(), "--lr", "0");
        refused("--lr -1.0: must be a number > 0", "train", "--text", verdict.toString(), "--lr", "-1");
        refused("--batch 0: must be 1 to 1024", "train", "--text", verdict.toString(), "--batch", "0");
        refused("--save " + dir.resolve("missing/x.safetensors") + ": no such directory " + dir.resolve("missing"),
                "train", "--text", verdict.toString(), "--save", dir.resolve("missing/x.safetensors").toString());
        refused("--text: no such file: " + dir.resolve("nothing.txt"), "train", "--text",
                dir.resolve("nothing.txt").toString());
        refused("is from another configuration", resumable("--epochs", "2", "--resume", small.toString()));
        refused("--weights and --resume", train("--resume", small.toString()));
        refused("Missing required argument(s): --val=FILE", "train", "--train", verdict.toString());
    }
}
