package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.Tokenizer;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Greedy generation with the (randomly initialized) GPT-2 124M:
 *
 * <pre>
 * generate [--tokens N] [--seed N] [--bf16] [PROMPT]      (default: 10 tokens, seed 123, "Hello, I am")
 * </pre>
 */
final class Generate {

    record Options(String prompt, int tokens, long seed, WeightFormat format) {

        static Options parse(String... args) {
            String prompt = "Hello, I am";
            int tokens = 10;
            long seed = 123;
            WeightFormat format = WeightFormat.F32;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--tokens" -> tokens = Integer.parseInt(Demo.Options.value(args, ++i, "--tokens"));
                    case "--seed" -> seed = Long.parseLong(Demo.Options.value(args, ++i, "--seed"));
                    case "--bf16" -> format = WeightFormat.BF16;
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        prompt = args[i];
                    }
                }
            }
            return new Options(prompt, tokens, seed, format);
        }
    }

    private Generate() {}

    static void run(Options options, PrintStream out) {
        Tokenizer tokenizer = new Tokenizer();
        int[] prompt = tokenizer.encode(options.prompt());
        out.println("Prompt: " + options.prompt() + " " + Arrays.toString(prompt));
        try (GptModel model = new GptModel(GptConfig.GPT_CONFIG_124M, options.seed(), KernelProvider.kernels(),
                options.format()).eval()) {
            long start = System.nanoTime();
            int[] ids = model.generate(prompt, options.tokens());
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println("Output ids: " + Arrays.toString(ids));
            out.println("Output text: " + tokenizer.decode(ids));
            out.printf(Locale.ROOT, "%d new tokens in %.2f s: %.1f tokens/s (first call, JIT warm-up included)%n",
                    options.tokens(), seconds, options.tokens() / seconds);
        }
    }
}
