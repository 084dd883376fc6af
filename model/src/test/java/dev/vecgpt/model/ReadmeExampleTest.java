package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library examples, as written there, so that they keep compiling and running. */
class ReadmeExampleTest {

    @Test
    void theStreamingExampleRuns(@TempDir Path dir) throws IOException {
        GptConfig small = new GptConfig(50257, 64, 32, 4, 2, 0.1, true); // GPT-2's vocabulary, tiny otherwise
        Path checkpoint;
        try (Arena arena = Arena.ofConfined()) {
            checkpoint = HuggingFaceGpt2Test.write(dir.resolve("model.safetensors"),
                    HuggingFaceGpt2Test.checkpoint(small, arena, ""), small);
        }
        StringBuilder printed = new StringBuilder();
        int[] tokens;
        // --- as in the README, with System.out::print collected ---
        try (GptModel model = GptModel.load(checkpoint);                     // read once, shared by threads
             GptSession session = model.newSession()) {                      // one per thread
            Tokenizer tokenizer = new Tokenizer();
            int[] prompt = tokenizer.encode("Every effort moves you");
            Sampling sampling = Sampling.random(0.8f, 42).withTopK(40);       // seeded: same text every run
            tokens = session.generate(prompt, Generation.of(20, sampling), tokenizer.textTo(printed::append));
        }
        assertEquals(24, tokens.length);
        assertFalse(printed.isEmpty());
        assertEquals(new Tokenizer().decode(Arrays.copyOfRange(tokens, 4, 24)), printed.toString());
    }

    @Test
    void theConversationExampleRuns() {
        GptConfig small = new GptConfig(50257, 128, 32, 4, 2, 0.1, true);
        try (GptModel model = new GptModel(small, 3); GptSession session = model.newSession();
             GptSession whole = model.newSession()) {
            Tokenizer tokenizer = new Tokenizer();
            // --- as in the README ---
            int[] story = session.generate(tokenizer.encode("Once upon a time"), Generation.greedy(30));
            int[] more = IntStream.concat(Arrays.stream(story), Arrays.stream(tokenizer.encode(" Then"))).toArray();
            int[] continued = session.generate(more, Generation.greedy(30)); // reads the story's last token and " Then" only
            // ---
            assertArrayEquals(whole.generate(more, Generation.greedy(30)), continued);
        }
    }

    @Test
    void theKernelExampleRuns() {
        try (Arena arena = Arena.ofShared()) {                                // you own the memory
            Kernels ops = KernelProvider.kernels();
            Tensor x = Tensor.allocate(arena, 4, 768);
            PackedWeight w = ops.pack(Tensor.allocate(arena, 50257, 768), arena); // W [out, in], as nn.Linear
            ops.matmul(x, w, Tensor.allocate(arena, 4, 50257));                   // x · Wᵀ
        }
    }
}
