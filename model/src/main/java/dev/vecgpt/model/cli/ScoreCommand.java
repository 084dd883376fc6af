package dev.vecgpt.model.cli;

import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.ScoreWindows;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vecgpt score}: cross-entropy and perplexity of texts, as the book's {@code calc_loss_loader}. */
@Command(name = "score", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        showDefaultValues = true, sortOptions = false,
        description = {"Cross-entropy (nats per token) and perplexity of texts under GPT-2.",
                "Windows of the book's data loader: inputs ids[i:i+W], targets ids[i+1:i+W+1], i = 0, S, 2S, ... "
                        + "while i < n - W; the mean over every target (eval mode). Files are read and tokenized "
                        + "in pieces, in bounded memory. Results go to standard output.", ""})
final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ThreadsOption threads;

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "UTF-8 text files; - (or /dev/stdin, or a pipe) reads standard input")
    List<String> inputs;

    int window;
    int stride;
    int batch = 4;
    Path weights;

    @Mixin
    ContextLengthOption contextLength;

    @Option(names = "--window", paramLabel = "W", order = 2,
            description = "tokens per window, 1 to the model's context (default: the model's context)")
    void window(int n) {
        if (n < 1 || n > 1024) {
            throw new ParameterException(spec.commandLine(), "--window " + n + ": must be 1 to 1024");
        }
        window = n;
    }

    @Option(names = "--stride", paramLabel = "S", order = 3,
            description = "tokens between window starts (default: W); above W, the tokens between windows are "
                    + "not scored")
    void stride(int s) {
        if (s < 1) {
            throw new ParameterException(spec.commandLine(), "--stride " + s + ": must be 1 or more");
        }
        stride = s;
    }

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4", order = 4,
            description = "windows per forward pass")
    void batch(int b) {
        if (b < 1 || b > 64) {
            throw new ParameterException(spec.commandLine(), "--batch " + b + ": must be 1 to 64");
        }
        batch = b;
    }

    @Option(names = "--lines", order = 5, description = "score each non-empty line as a text of its own")
    boolean lines;

    @Option(names = "--jsonl", order = 6,
            description = "the inputs are JSON lines: score each object's --field as a text of its own")
    boolean jsonl;

    @Option(names = "--field", paramLabel = "NAME", order = 7, description = "with --jsonl: the text's field "
            + "(default: text)")
    String field;

    @Option(names = "--json", order = 8, description = "one JSON object per text instead of a table")
    boolean json;

    @Mixin
    SpecialTokensOption specialTokens;

    @Option(names = "--weights", paramLabel = "FILE", order = 10,
            description = "a Hugging Face GPT-2 model.safetensors (default: the book's seeded random model)")
    void weights(Path file) {
        String problem = Checkpoints.problem(file);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        weights = file;
    }

    @Option(names = "--seed", paramLabel = "N", defaultValue = "123", order = 11,
            description = "torch.manual_seed(N) before building the random model")
    long seed;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "F32", order = 12,
            description = "how linear weights are stored: ${COMPLETION-CANDIDATES}")
    WeightFormat format;

    /** An old spelling, refused with what replaced it rather than silently taken for something else. */
    @Option(names = "--model-context", hidden = true, paramLabel = "N")
    void modelContext(String n) {
        throw new ParameterException(spec.commandLine(), "--model-context is no longer an option: the model's context "
                + "is --context-length (as in generate), the scoring window --window");
    }

    /** The options, checked as a whole, and every input file looked at (not yet read). */
    ScoreFiles.Options options() {
        if (lines && jsonl) {
            throw new ParameterException(spec.commandLine(), "--lines and --jsonl: choose one");
        }
        if (field != null && !jsonl) {
            throw new ParameterException(spec.commandLine(), "--field " + field + " is for --jsonl inputs");
        }
        contextLength.checkWith(weights);
        if (weights == null && window > contextLength.value) {
            throw new ParameterException(spec.commandLine(), "--window " + window
                    + " is longer than the model's context, " + contextLength.value);
        }
        for (String input : inputs) {
            String problem = Inputs.problem(input);
            if (problem != null) {
                throw new ParameterException(spec.commandLine(), problem);
            }
        }
        return new ScoreFiles.Options(inputs, new ScoreWindows(window, stride, batch), lines,
                jsonl ? (field == null ? "text" : field) : null, json, weights, seed, contextLength.value, format,
                specialTokens.refuse());
    }

    @Override
    public Integer call() throws Exception {
        ScoreFiles.Options options = options();
        ScoreFiles.run(options, threads.kernels(), spec.commandLine().getOut(), spec.commandLine().getErr(),
                Progress.onTerminal(spec.commandLine().getErr()));
        return 0;
    }
}
