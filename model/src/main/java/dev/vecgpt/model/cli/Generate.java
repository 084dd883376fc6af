package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.Sampling;
import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Generation with GPT-2 ({@link GenerateCommand} is its command line). Standard output gets the prompt's
 * ids, the text as each token comes and the output ids; standard error the build and the timing.
 */
final class Generate {

    /**
     * What to generate, and with which model.
     *
     * @param weights       a checkpoint, or null for the seeded random 124M model
     * @param contextLength the random model's context length (the book's chapter 5 uses 256)
     * @param sampling      how each token is chosen; its seed re-seeds the generator right before generating
     * @param stopAtEos     stop at {@code <|endoftext|>}, as the book's {@code eos_id}
     */
    record Options(String prompt, int tokens, long seed, WeightFormat format, Path weights, int contextLength,
                   Sampling sampling, boolean stopAtEos) {}

    /** Models built so far in this JVM: tests check that bad arguments build none. */
    static final AtomicInteger BUILDS = new AtomicInteger();

    private Generate() {}

    static void run(Options options, Kernels kernels, PrintWriter out, PrintWriter err, Progress progress)
            throws IOException {
        Tokenizer tokenizer = new Tokenizer();
        int[] prompt = tokenizer.encode(options.prompt());
        out.println("Prompt: " + options.prompt() + " " + Arrays.toString(prompt));
        out.flush();
        long start = System.nanoTime();
        try (GptModel model = build(options, kernels, progress); GptSession session = model.newSession()) {
            double built = (System.nanoTime() - start) / 1e9;
            out.print("Output text: " + tokenizer.decode(prompt));
            out.flush();
            Generation generation = Generation.of(options.tokens(), options.sampling());
            if (options.stopAtEos()) {
                generation = generation.stopAt(Tokenizer.END_OF_TEXT);
            }
            var text = tokenizer.textTo(piece -> {
                out.print(piece);
                out.flush();
            });
            long t0 = System.nanoTime();
            long[] firstAt = {0};
            int[] ids = session.generate(prompt, generation, id -> {
                if (firstAt[0] == 0) {
                    firstAt[0] = System.nanoTime();
                }
                text.accept(id);
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            int generated = ids.length - prompt.length;
            out.println();
            out.println("Output ids: " + Arrays.toString(ids));
            out.flush();
            err.printf(Locale.ROOT, "model ready in %.2f s; first token after %.2f s; %d new tokens in %.2f s: "
                    + "%.1f tokens/s%n", built, (firstAt[0] - t0) / 1e9, generated, seconds, generated / seconds);
            err.flush();
        }
    }

    /**
     * The model, with every kernel warmed up on a second thread while the weights are drawn or read
     * ({@link ModelOptions#withWarmUp}, off with {@code -Dvecgpt.warmup=false}): generation starts once
     * both are done.
     */
    static GptModel build(Options options, Kernels kernels, Progress progress) throws IOException {
        BUILDS.incrementAndGet();
        GptConfig config = options.weights() == null ? randomConfig(options.contextLength())
                : GptModel.config(options.weights());
        String what = options.weights() == null ? "building the model" : "loading " + options.weights().getFileName();
        try (Progress.Task task = progress.start(what, 0)) {
            ModelOptions modelOptions = ModelOptions.DEFAULT.withFormat(options.format()).withKernels(kernels)
                    .withWarmUp(!"false".equals(System.getProperty("vecgpt.warmup")))
                    .withProgress(task::update);
            return options.weights() == null
                    ? new GptModel(config, options.seed(), modelOptions)
                    : GptModel.load(options.weights(), modelOptions);
        }
    }

    /** The book's 124M configuration with another context length (which changes the seeded weights, as in PyTorch). */
    static GptConfig randomConfig(int contextLength) {
        GptConfig b = GptConfig.GPT_CONFIG_124M;
        return new GptConfig(b.vocabSize(), contextLength, b.embDim(), b.nHeads(), b.nLayers(), b.dropRate(),
                b.qkvBias());
    }
}
