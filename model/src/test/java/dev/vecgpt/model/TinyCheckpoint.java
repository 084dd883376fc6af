package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

/** A small random GPT-2 with GPT-2's vocabulary, as Hugging Face lays it out: quick to load in a child process. */
public final class TinyCheckpoint {

    /** Vocabulary 50,257 (the real tokenizer applies), context 64, width 64, 4 heads, 1 layer. */
    public static final GptConfig CONFIG = new GptConfig(50257, 64, 64, 4, 1, 0.0, true);

    private TinyCheckpoint() {}

    /** Writes {@code dir/model.safetensors} and {@code dir/config.json}; returns the first. */
    public static Path write(Path dir) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return HuggingFaceGpt2Test.write(dir.resolve("model.safetensors"),
                    HuggingFaceGpt2Test.checkpoint(CONFIG, arena, ""), CONFIG);
        }
    }
}
