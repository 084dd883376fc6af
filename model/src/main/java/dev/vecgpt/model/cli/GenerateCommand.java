package dev.vecgpt.model.cli;

import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Sampling;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vecgpt generate}: generation with GPT-2, seeded or pretrained, greedy or sampled as the book does. */
@Command(name = "generate", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        showDefaultValues = true, sortOptions = false,
        description = {"Generation with GPT-2, greedy or sampled.",
                "The book's randomly initialized 124M model (seed 123 gives the book's tokens), or OpenAI's "
                        + "pretrained weights from a Hugging Face model.safetensors. Sampling draws PyTorch's tokens: "
                        + "the generator is re-seeded with --sample-seed right before generating, as the book's "
                        + "torch.manual_seed then generate. The text goes to standard output as it comes; the kernel "
                        + "line and the timing to standard error.", ""})
final class GenerateCommand implements Callable<Integer> {

    static final int MAX_TOKENS = 1_000_000;
    /**
     * Temperatures above 0 and below this are greedy: any two logits that differ by more than 0.01 are then
     * e^-100 apart in probability (the draw is the argmax), and logits / T would overflow float32 near 1e-38.
     */
    static final float GREEDY_BELOW = 1e-4f;
    private static final int VOCAB = 50257; // GPT-2's vocabulary

    @Spec
    CommandSpec spec;

    @Mixin
    ThreadsOption threads;

    @Parameters(paramLabel = "PROMPT", arity = "0..1", defaultValue = "Hello, I am",
            description = "the text to continue; quote it when it has spaces")
    String prompt;

    int tokens = 10;
    float temperature;
    int topK;
    float topP = 1;
    Path weights;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "10", order = 1,
            description = "how many tokens to generate, 1 to " + MAX_TOKENS)
    void tokens(int n) {
        if (n < 1 || n > MAX_TOKENS) {
            throw new ParameterException(spec.commandLine(), "--tokens " + n + ": must be 1 to " + MAX_TOKENS);
        }
        tokens = n;
    }

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", order = 2,
            description = "0 (or below " + GREEDY_BELOW + "): greedy, the argmax; else softmax(logits / T) and one "
                    + "multinomial draw")
    void temperature(float t) {
        if (!(t >= 0) || Float.isInfinite(t)) {
            throw new ParameterException(spec.commandLine(), "--temperature " + t + ": must be 0 or more");
        }
        temperature = t;
    }

    @Option(names = "--top-k", paramLabel = "K", order = 3,
            description = "keep the K largest logits (ties at the K-th kept), 1 to " + VOCAB + "; default: all")
    void topK(int k) {
        if (k < 1 || k > VOCAB) {
            throw new ParameterException(spec.commandLine(), "--top-k " + k + ": must be 1 to " + VOCAB);
        }
        topK = k;
    }

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1", order = 4,
            description = "nucleus sampling: the smallest set of tokens whose probability reaches P, in (0, 1]")
    void topP(float p) {
        if (!(p > 0 && p <= 1)) {
            throw new ParameterException(spec.commandLine(), "--top-p " + p + ": must be in (0, 1]");
        }
        topP = p;
    }

    @Option(names = "--sample-seed", paramLabel = "N", defaultValue = "123", order = 5,
            description = "torch.manual_seed(N) right before generating")
    long sampleSeed;

    @Option(names = "--stop-at-eos", order = 6, description = "stop when <|endoftext|> is drawn (not printed)")
    boolean stopAtEos;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "123", order = 7,
            description = "torch.manual_seed(N) before building the random model")
    long seed;

    @Mixin
    ContextLengthOption contextLength;

    @Mixin
    SpecialTokensOption specialTokens;

    @Option(names = "--prompt-file", paramLabel = "FILE", order = 11,
            description = "read the prompt from FILE (UTF-8; - for standard input) instead of PROMPT")
    String promptFile;

    @Option(names = "--plain", order = 12, description = "print only the new text (and a line break at the end)")
    boolean plain;

    @Option(names = "--json", order = 13,
            description = "print one JSON object: prompt, prompt_ids, text and ids (the new ones)")
    boolean json;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "F32", order = 9,
            description = "how linear weights are stored: ${COMPLETION-CANDIDATES}")
    WeightFormat format;

    @Option(names = "--weights", paramLabel = "FILE", order = 10,
            description = "a Hugging Face GPT-2 model.safetensors to run instead of the random model "
                    + "(its size is read from the file)")
    void weights(Path file) {
        String problem = Checkpoints.problem(file);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        weights = file;
    }

    /** The options, checked as a whole (each was checked as it was parsed). */
    Generate.Options options() {
        boolean hasPrompt = !spec.commandLine().getParseResult().matchedPositionals().isEmpty();
        if (promptFile != null && hasPrompt) {
            throw new ParameterException(spec.commandLine(), "a PROMPT and --prompt-file: choose one");
        }
        if (promptFile != null) {
            String problem = Inputs.problem(promptFile);
            if (problem != null) {
                throw new ParameterException(spec.commandLine(), "--prompt-file: " + problem);
            }
        } else if (prompt.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "the PROMPT is empty");
        }
        if (plain && json) {
            throw new ParameterException(spec.commandLine(), "--plain and --json: choose one");
        }
        contextLength.checkWith(weights);
        Sampling sampling = temperature < GREEDY_BELOW ? Sampling.greedy()
                : Sampling.random(temperature, sampleSeed).withTopK(topK).withTopP(topP);
        Generate.Mode mode = plain ? Generate.Mode.plain : json ? Generate.Mode.json : Generate.Mode.book;
        return new Generate.Options(promptFile == null ? prompt : null, promptFile, tokens, seed, format, weights,
                contextLength.value, sampling, stopAtEos, mode, specialTokens.refuse());
    }

    @Override
    public Integer call() throws Exception {
        Generate.Options options = options();
        Generate.run(options, threads.kernels(), spec.commandLine().getOut(), spec.commandLine().getErr(),
                Progress.onTerminal(spec.commandLine().getErr()));
        return 0;
    }
}
