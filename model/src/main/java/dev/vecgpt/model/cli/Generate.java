package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Greedy generation with GPT-2: the book's randomly initialized 124M model, or OpenAI's pretrained
 * weights from a Hugging Face {@code model.safetensors}:
 *
 * <pre>
 * generate [--tokens N] [--seed N] [--bf16] [--weights FILE [--config gpt2|gpt2-medium|gpt2-large|gpt2-xl]] [PROMPT]
 * </pre>
 * Defaults: 10 tokens, seed 123, config gpt2, "Hello, I am".
 */
final class Generate {

    record Options(String prompt, int tokens, long seed, WeightFormat format, Path weights, String config) {

        static Options parse(String... args) {
            String prompt = "Hello, I am";
            int tokens = 10;
            long seed = 123;
            WeightFormat format = WeightFormat.F32;
            Path weights = null;
            String config = "gpt2";
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--tokens" -> tokens = Integer.parseInt(Demo.Options.value(args, ++i, "--tokens"));
                    case "--seed" -> seed = Long.parseLong(Demo.Options.value(args, ++i, "--seed"));
                    case "--bf16" -> format = WeightFormat.BF16;
                    case "--weights" -> weights = Path.of(Demo.Options.value(args, ++i, "--weights"));
                    case "--config" -> config = Demo.Options.value(args, ++i, "--config");
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        prompt = args[i];
                    }
                }
            }
            GptConfig.pretrained(config); // an unknown size fails here, before any work
            return new Options(prompt, tokens, seed, format, weights, config);
        }
    }

    private Generate() {}

    private static GptModel model(Options options) throws IOException {
        ModelOptions modelOptions = ModelOptions.DEFAULT.withFormat(options.format());
        if (options.weights() == null) {
            return new GptModel(GptConfig.GPT_CONFIG_124M, options.seed(), modelOptions);
        }
        return GptModel.load(options.weights(), modelOptions);
    }

    static void run(Options options, PrintStream out) throws IOException {
        Tokenizer tokenizer = new Tokenizer();
        int[] prompt = tokenizer.encode(options.prompt());
        out.println("Prompt: " + options.prompt() + " " + Arrays.toString(prompt));
        try (GptModel model = model(options); GptSession session = model.newSession()) {
            long start = System.nanoTime();
            int[] ids = session.generate(prompt, Generation.greedy(options.tokens()));
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println("Output ids: " + Arrays.toString(ids));
            out.println("Output text: " + tokenizer.decode(ids));
            out.printf(Locale.ROOT, "%d new tokens in %.2f s: %.1f tokens/s (first call, JIT warm-up included)%n",
                    options.tokens(), seconds, options.tokens() / seconds);
        }
    }
}
