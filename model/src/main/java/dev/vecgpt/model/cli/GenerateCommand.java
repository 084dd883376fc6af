package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.WeightFormat;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vecgpt generate}: greedy generation with GPT-2, seeded or pretrained. */
@Command(name = "generate", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        showDefaultValues = true, sortOptions = false,
        description = {"Greedy generation with GPT-2.",
                "The book's randomly initialized 124M model (seed 123 gives the book's tokens), or OpenAI's "
                        + "pretrained weights from a Hugging Face model.safetensors. The text goes to standard "
                        + "output; the kernel line and the timing to standard error.", ""})
final class GenerateCommand implements Callable<Integer> {

    /** Sizes --config accepts: GptConfig.pretrained's names. */
    static final String CONFIGS = "gpt2, gpt2-medium, gpt2-large, gpt2-xl";
    static final int MAX_TOKENS = 1_000_000;

    @Spec
    CommandSpec spec;

    @Mixin
    ThreadsOption threads;

    int tokens = 10;
    long seed = 123;

    @Option(names = "--bf16", order = 5, description = "store every linear layer's weights as bfloat16")
    boolean bf16;

    Path weights;
    String config = "gpt2";

    @Parameters(paramLabel = "PROMPT", arity = "0..1", defaultValue = "Hello, I am",
            description = "the text to continue; quote it when it has spaces")
    String prompt;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "10", order = 1,
            description = "how many tokens to generate, 1 to " + MAX_TOKENS)
    void tokens(int n) {
        if (n < 1 || n > MAX_TOKENS) {
            throw new ParameterException(spec.commandLine(), "--tokens " + n + ": must be 1 to " + MAX_TOKENS);
        }
        tokens = n;
    }

    @Option(names = "--seed", paramLabel = "N", defaultValue = "123", order = 2,
            description = "torch.manual_seed(N) before building the random model")
    void seed(long s) {
        seed = s;
    }

    @Option(names = "--weights", paramLabel = "FILE", order = 3,
            description = "a Hugging Face GPT-2 model.safetensors to run instead of the random model")
    void weights(Path file) {
        String problem = Checkpoints.problem(file);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        weights = file;
    }

    @Option(names = "--config", paramLabel = "SIZE", defaultValue = "gpt2", order = 4,
            description = "the size of --weights: " + CONFIGS)
    void config(String name) {
        try {
            GptConfig.pretrained(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--config " + name + ": use one of " + CONFIGS);
        }
        config = name;
    }

    /** The options, checked as a whole (each was checked as it was parsed). */
    Generate.Options options() {
        if (prompt.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "the PROMPT is empty");
        }
        if (weights == null && spec.commandLine().getParseResult().hasMatchedOption("--config")) {
            throw new ParameterException(spec.commandLine(), "--config " + config + " needs --weights FILE");
        }
        return new Generate.Options(prompt, tokens, seed, bf16 ? WeightFormat.BF16 : WeightFormat.F32, weights,
                config);
    }

    @Override
    public Integer call() throws Exception {
        Generate.Options options = options();
        Generate.run(options, threads.kernels(), spec.commandLine().getOut(), spec.commandLine().getErr(),
                Progress.onTerminal(spec.commandLine().getErr()));
        return 0;
    }
}
