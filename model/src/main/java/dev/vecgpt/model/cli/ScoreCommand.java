package dev.vecgpt.model.cli;

import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Scoring;
import java.nio.file.Files;
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
                "Windows of the book's data loader: inputs ids[i:i+L], targets ids[i+1:i+L+1], i = 0, S, 2S, ... "
                        + "while i < n - L; the mean over every target (eval mode). Files are read and tokenized "
                        + "in pieces, in bounded memory. Results go to standard output.", ""})
final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ThreadsOption threads;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "UTF-8 text files; - reads standard input")
    List<String> inputs;

    int contextLength;
    int stride;
    int batch = 4;
    Path weights;

    @Option(names = "--context-length", paramLabel = "L", order = 1,
            description = "tokens per window, 1 to the model's context (default: the model's)")
    void contextLength(int n) {
        if (n < 1 || n > 1024) {
            throw new ParameterException(spec.commandLine(), "--context-length " + n + ": must be 1 to 1024");
        }
        contextLength = n;
    }

    @Option(names = "--stride", paramLabel = "S", order = 2, description = "tokens between windows (default: L)")
    void stride(int s) {
        if (s < 1) {
            throw new ParameterException(spec.commandLine(), "--stride " + s + ": must be 1 or more");
        }
        stride = s;
    }

    @Option(names = "--batch", paramLabel = "B", defaultValue = "4", order = 3,
            description = "windows per forward pass")
    void batch(int b) {
        if (b < 1 || b > 64) {
            throw new ParameterException(spec.commandLine(), "--batch " + b + ": must be 1 to 64");
        }
        batch = b;
    }

    @Option(names = "--lines", order = 4, description = "score each non-empty line as a text of its own")
    boolean lines;

    @Option(names = "--jsonl", paramLabel = "FIELD", order = 5, arity = "0..1", fallbackValue = "text",
            description = "the inputs are JSON lines: score each object's FIELD (default text) as a text of its own")
    String jsonField;

    @Option(names = "--json", order = 6, description = "one JSON object per text instead of a table")
    boolean json;

    @Option(names = "--weights", paramLabel = "FILE", order = 7,
            description = "a Hugging Face GPT-2 model.safetensors (default: the book's seeded random model)")
    void weights(Path file) {
        String problem = Checkpoints.problem(file);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        weights = file;
    }

    @Option(names = "--seed", paramLabel = "N", defaultValue = "123", order = 8,
            description = "torch.manual_seed(N) before building the random model")
    long seed;

    @Option(names = "--model-context", paramLabel = "N", defaultValue = "1024", order = 9,
            description = "the random model's context length (the book's chapter 5 uses 256)")
    int modelContext;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "F32", order = 10,
            description = "how linear weights are stored: ${COMPLETION-CANDIDATES}")
    WeightFormat format;

    /** The options, checked as a whole, and every input file looked at (not yet read). */
    Score.Options options() {
        if (modelContext < 1 || modelContext > 1024) {
            throw new ParameterException(spec.commandLine(), "--model-context " + modelContext + ": must be 1 to 1024");
        }
        if (lines && jsonField != null) {
            throw new ParameterException(spec.commandLine(), "--lines and --jsonl: choose one");
        }
        if (weights == null && contextLength > modelContext) {
            throw new ParameterException(spec.commandLine(), "--context-length " + contextLength
                    + " is longer than the model's context, " + modelContext);
        }
        for (String input : inputs) {
            if (input.equals("-")) {
                continue;
            }
            Path file = Path.of(input);
            if (!Files.isRegularFile(file)) {
                throw new ParameterException(spec.commandLine(), "no such file: " + input);
            }
            if (!Files.isReadable(file)) {
                throw new ParameterException(spec.commandLine(), "cannot read " + input);
            }
        }
        return new Score.Options(inputs, new Scoring(contextLength, stride, batch), lines, jsonField, json, weights,
                seed, modelContext, format);
    }

    @Override
    public Integer call() throws Exception {
        Score.Options options = options();
        Score.run(options, threads.kernels(), spec.commandLine().getOut(), spec.commandLine().getErr(),
                Progress.onTerminal(spec.commandLine().getErr()));
        return 0;
    }
}
