package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint truncated or rewritten in place (what {@code cp} over it does) while a model reads it,
 * in a JVM of its own ({@link ChildJvm}): a model, once loaded, holds no view of the file, so it goes on
 * generating and scoring with the weights it read; a file truncated during the load is an
 * {@link IOException} naming it. Before, the first read of the embeddings after a truncation was a
 * {@code SIGBUS} that killed the JVM.
 */
class CheckpointFaultTest {

    /** Wider than a page per tensor, so that a truncated file leaves whole pages of the mapping past its end. */
    private static final GptConfig SMALL = new GptConfig(1031, 64, 64, 4, 2, 0.1, true);
    private static final int[] PROMPT = {5, 17, 3, 96, 0, 41};

    @TempDir
    Path dir;

    private Path checkpoint() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> tensors = HuggingFaceGpt2Test.checkpoint(SMALL, arena, "");
            return HuggingFaceGpt2Test.write(dir.resolve("model.safetensors"), tensors, SMALL);
        }
    }

    private ChildJvm child(String kernels, String what) throws IOException, InterruptedException {
        return ChildJvm.run(dir, List.of("--add-modules", "jdk.incubator.vector", "-D" + KernelProvider.PROPERTY + "=" + kernels),
                Child.class, checkpoint().toString(), what);
    }

    @Test
    void aModelGoesOnGeneratingAndScoringWhenItsFileIsTruncatedOrRewritten() throws Exception {
        for (String what : List.of("truncate", "rewrite")) {
            ChildJvm run = child("simd", what); // what crashed: the Vector API's add of the mapped embeddings
            assertFalse(run.crashed(), run.toString());
            assertEquals(0, run.status(), run.toString());
            assertTrue(run.out().contains("same tokens after the " + what), run.toString());
        }
    }

    @Test
    void aFileTruncatedDuringTheLoadIsAnErrorNamingIt() throws Exception {
        ChildJvm run = child("simd", "truncate-while-loading");
        assertFalse(run.crashed(), run.toString());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().startsWith("IOException: " + dir.resolve("model.safetensors")), run.toString());
        assertTrue(run.out().contains(": the file shrank to 0 bytes since it was opened"), run.toString());
    }

    /** The child: loads the file, generates, damages the file, generates and scores again. */
    static final class Child {

        public static void main(String[] args) throws IOException {
            Path file = Path.of(args[0]);
            String what = args[1];
            if (what.equals("truncate-while-loading")) {
                ModelOptions options = ModelOptions.DEFAULT.withProgress((done, total) -> {
                    if (done == 3) {
                        damage(file, "truncate");
                    }
                });
                try (GptModel model = GptModel.load(file, options)) {
                    System.out.println("loaded a model from a truncated file");
                } catch (IOException e) {
                    System.out.println("IOException: " + e.getMessage());
                }
                return;
            }
            int[] ids = new int[150];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (7 * i + 3) % SMALL.vocabSize();
            }
            try (GptModel model = GptModel.load(file); GptSession session = model.newSession()) {
                int[] before = session.generate(PROMPT, Generation.greedy(8));
                Score scoreBefore = session.score(ids, ScoreWindows.DEFAULT);
                session.clearCache();
                int[] during = session.generate(PROMPT, Generation.greedy(8), token -> damage(file, what));
                session.clearCache();
                int[] after = session.generate(PROMPT, Generation.greedy(8));
                Score scoreAfter = session.score(ids, ScoreWindows.DEFAULT);
                if (!Arrays.equals(before, during) || !Arrays.equals(before, after) || !scoreBefore.equals(scoreAfter)) {
                    throw new AssertionError("the tokens or scores changed: " + Arrays.toString(before) + ", "
                            + Arrays.toString(during) + ", " + Arrays.toString(after) + "; " + scoreBefore + ", "
                            + scoreAfter);
                }
                System.out.println("same tokens after the " + what);
            }
        }

        /** Truncates the file to nothing, or writes zeros over all of it (both once). */
        private static boolean damaged;

        static void damage(Path file, String how) {
            if (damaged) {
                return;
            }
            damaged = true;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                if (how.equals("truncate")) {
                    channel.truncate(0);
                } else {
                    long size = channel.size();
                    ByteBuffer zeros = ByteBuffer.allocate((int) size);
                    while (zeros.hasRemaining()) {
                        channel.write(zeros, zeros.position());
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
