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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Generation with GPT-2 ({@link GenerateCommand} is its command line). Standard output gets the text (in
 * one of three {@link Mode}s), as each token comes; standard error the build and the timing.
 */
final class Generate {

    /** What standard output gets. */
    enum Mode {
        /** The book's display: {@code Prompt: TEXT [ids]}, {@code Output text: } prompt and continuation, {@code Output ids: [...]}. */
        book,
        /** The continuation only, as it comes, and a line break at the end: {@code > out.txt} keeps the new text. */
        plain,
        /** One JSON object at the end: {@code prompt}, {@code prompt_ids}, {@code text} and {@code ids} (the new ones). */
        json
    }

    /**
     * What to generate, and with which model.
     *
     * @param prompt        the prompt's text, or null to read it from {@code promptFile}
     * @param promptFile    a file holding the prompt, - for standard input; or null
     * @param weights       a checkpoint, or null for the seeded random 124M model
     * @param contextLength the random model's context length (the book's chapter 5 uses 256)
     * @param sampling      how each token is chosen; its seed re-seeds the generator right before generating
     * @param stopAtEos     stop at {@code <|endoftext|>}, as the book's {@code eos_id}
     * @param refuseMarks   {@code <|endoftext|>} in the prompt is an error instead of a token
     */
    record Options(String prompt, String promptFile, int tokens, long seed, WeightFormat format, Path weights,
                   int contextLength, Sampling sampling, boolean stopAtEos, Mode mode, boolean refuseMarks) {}

    /** Models built so far in this JVM: tests check that bad arguments build none. */
    static final AtomicInteger BUILDS = new AtomicInteger();
    /** The longest prompt file read, in bytes (a prompt longer than GPT-2's context cannot run anyway). */
    static final int MAX_PROMPT_BYTES = 1 << 20;

    private Generate() {}

    static void run(Options options, Kernels kernels, PrintWriter out, PrintWriter err, Progress progress)
            throws IOException {
        Tokenizer tokenizer = new Tokenizer();
        String name = options.prompt() != null ? "the prompt" : options.promptFile().equals("-") ? "standard input"
                : options.promptFile();
        byte[] bytes = promptBytes(options, name);
        List<int[]> pieces = new ArrayList<>();
        TextSource.tokenize(new ByteArrayInputStream(bytes), name, tokenizer, options.refuseMarks(), pieces::add,
                () -> { });
        String text = new String(bytes, StandardCharsets.UTF_8); // valid UTF-8: TextSource checked it
        int[] prompt = pieces.stream().flatMapToInt(Arrays::stream).toArray();
        if (prompt.length == 0) {
            throw new IllegalArgumentException(name + " is empty");
        }
        long start = System.nanoTime();
        try (GptModel model = build(options, kernels, progress); GptSession session = model.newSession()) {
            double built = (System.nanoTime() - start) / 1e9;
            if (options.mode() == Mode.book) {
                out.println("Prompt: " + text + " " + Arrays.toString(prompt));
                out.print("Output text: " + tokenizer.decode(prompt));
                out.flush();
            }
            Generation generation = Generation.of(options.tokens(), options.sampling());
            if (options.stopAtEos()) {
                generation = generation.stopAt(Tokenizer.END_OF_TEXT);
            }
            StringBuilder continuation = new StringBuilder();
            var stream = tokenizer.textTo(piece -> {
                if (options.mode() == Mode.json) {
                    continuation.append(piece);
                } else {
                    out.print(piece);
                    out.flush(); // throws once standard output has failed: generation stops at that token
                }
            });
            long t0 = System.nanoTime();
            long[] firstAt = {0};
            int[] all = session.generate(prompt, generation, id -> {
                if (firstAt[0] == 0) {
                    firstAt[0] = System.nanoTime();
                }
                stream.accept(id);
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            int generated = all.length - prompt.length;
            switch (options.mode()) {
                case book -> {
                    out.println();
                    out.println("Output ids: " + Arrays.toString(all));
                }
                case plain -> out.println();
                case json -> out.println("{\"prompt\": " + JsonLines.quote(text) + ", \"prompt_ids\": "
                        + Arrays.toString(prompt) + ", \"text\": " + JsonLines.quote(continuation.toString())
                        + ", \"ids\": " + Arrays.toString(Arrays.copyOfRange(all, prompt.length, all.length)) + "}");
            }
            out.flush();
            err.printf(Locale.ROOT, "model ready in %.2f s; first token after %.2f s; %d new tokens in %.2f s: "
                    + "%.1f tokens/s%n", built, (firstAt[0] - t0) / 1e9, generated, seconds, generated / seconds);
            err.flush();
        }
    }

    /** The prompt's bytes: the argument's, or the file's (standard input's). */
    private static byte[] promptBytes(Options options, String name) throws IOException {
        if (options.prompt() != null) {
            return options.prompt().getBytes(StandardCharsets.UTF_8);
        }
        byte[] bytes;
        try (InputStream in = options.promptFile().equals("-") ? System.in
                : Files.newInputStream(Path.of(options.promptFile()))) {
            bytes = in.readNBytes(MAX_PROMPT_BYTES + 1);
        }
        if (bytes.length > MAX_PROMPT_BYTES) {
            throw new IllegalArgumentException(name + ": a prompt of more than " + MAX_PROMPT_BYTES + " bytes");
        }
        return bytes;
    }

    /**
     * The model, with every kernel warmed up on a second thread while the weights are drawn or read
     * ({@link ModelOptions#withWarmUp}, off with {@code -Dvecgpt.warmup=false}): generation starts once
     * both are done.
     */
    static GptModel build(Options options, Kernels kernels, Progress progress) throws IOException {
        return build(options.seed(), options.format(), options.weights(), options.contextLength(), kernels, progress);
    }

    /** The random model of {@code seed} and {@code contextLength}, or the checkpoint {@code weights}, warmed up. */
    static GptModel build(long seed, WeightFormat format, Path weights, int contextLength, Kernels kernels,
                          Progress progress) throws IOException {
        BUILDS.incrementAndGet();
        GptConfig config = weights == null ? randomConfig(contextLength) : GptModel.config(weights);
        String what = weights == null ? "building the model" : "loading " + weights.getFileName();
        try (Progress.Task task = progress.start(what, 0)) {
            ModelOptions modelOptions = ModelOptions.DEFAULT.withFormat(format).withKernels(kernels)
                    .withWarmUp(!"false".equals(System.getProperty("vecgpt.warmup")))
                    .withProgress(task::update);
            return weights == null ? new GptModel(config, seed, modelOptions) : GptModel.load(weights, modelOptions);
        }
    }

    /** The book's 124M configuration with another context length (which changes the seeded weights, as in PyTorch). */
    static GptConfig randomConfig(int contextLength) {
        GptConfig b = GptConfig.GPT_CONFIG_124M;
        return new GptConfig(b.vocabSize(), contextLength, b.embDim(), b.nHeads(), b.nLayers(), b.dropRate(),
                b.qkvBias());
    }
}
