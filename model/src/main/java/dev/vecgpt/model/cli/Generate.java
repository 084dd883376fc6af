package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Greedy generation with GPT-2 ({@link GenerateCommand} is its command line). Standard output gets
 * the prompt's ids, the text as it grows and the output ids; standard error the build and the timing.
 */
final class Generate {

    /** What to generate, and with which model. {@code weights} null: the seeded random 124M model. */
    record Options(String prompt, int tokens, long seed, WeightFormat format, Path weights, String config) {}

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
        try (GptModel model = build(options, kernels, progress)) {
            double built = (System.nanoTime() - start) / 1e9;
            Text text = new Text(tokenizer, prompt, out);
            long t0 = System.nanoTime();
            int[] ids = generate(model, prompt, options.tokens(), text);
            double seconds = (System.nanoTime() - t0) / 1e9;
            text.end();
            out.println("Output ids: " + Arrays.toString(ids));
            out.flush();
            err.printf(Locale.ROOT, "model ready in %.2f s; %d new tokens in %.2f s: %.1f tokens/s%n",
                    built, options.tokens(), seconds, options.tokens() / seconds);
            err.flush();
        }
    }

    /**
     * The model call: every new token to {@code onToken}. {@code GptModel.generate} hands them over at
     * the end; a streaming generate would call {@code onToken} as each one exists.
     */
    static int[] generate(GptModel model, int[] prompt, int tokens, IntConsumer onToken) {
        int[] ids = model.generate(prompt, tokens);
        for (int i = prompt.length; i < ids.length; i++) {
            onToken.accept(ids[i]);
        }
        return ids;
    }

    /**
     * The model, with every kernel warmed up on a second thread while the weights are drawn or read
     * (see {@link Warmup}): generation starts once both are done.
     */
    static GptModel build(Options options, Kernels kernels, Progress progress) throws IOException {
        BUILDS.incrementAndGet();
        GptConfig config = options.weights() == null ? GptConfig.GPT_CONFIG_124M : GptConfig.pretrained(options.config());
        Thread warmup = Warmup.enabled()
                ? Thread.ofPlatform().name("vecgpt-warmup").start(() -> warmup(kernels, config, options.format()))
                : null;
        GptModel model;
        String what = options.weights() == null ? "building the model" : "loading " + options.weights().getFileName();
        try (Progress.Task task = progress.start(what, PackCounter.gptPacks(config.nLayers()))) {
            Kernels counted = new PackCounter(kernels, task::step);
            model = options.weights() == null
                    ? new GptModel(config, options.seed(), counted, options.format())
                    : GptModel.load(options.weights(), config, counted, options.format());
        } finally {
            join(warmup);
        }
        return model.eval();
    }

    /** Only a head start: whatever fails here fails again, with its message, in the real model. */
    private static void warmup(Kernels kernels, GptConfig config, WeightFormat format) {
        try {
            Warmup.run(kernels, config, format, Warmup.ROUNDS);
        } catch (RuntimeException e) {
            // the real model reports it
        }
    }

    private static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The output text, printed as tokens come: "Output text: " and the prompt, then each new token's
     * piece. A token may end inside a UTF-8 character that the next one completes, so a piece that
     * decodes to a replacement character waits for up to {@value #HOLD} tokens.
     */
    private static final class Text implements IntConsumer {
        private static final int HOLD = 4;
        private final Tokenizer tokenizer;
        private final PrintWriter out;
        private int[] pending = new int[0];

        Text(Tokenizer tokenizer, int[] prompt, PrintWriter out) {
            this.tokenizer = tokenizer;
            this.out = out;
            out.print("Output text: " + tokenizer.decode(prompt));
            out.flush();
        }

        @Override
        public void accept(int token) {
            pending = Arrays.copyOf(pending, pending.length + 1);
            pending[pending.length - 1] = token;
            String piece = tokenizer.decode(pending);
            if (piece.indexOf('\uFFFD') < 0 || pending.length >= HOLD) {
                out.print(piece);
                out.flush();
                pending = new int[0];
            }
        }

        void end() {
            if (pending.length > 0) {
                out.print(tokenizer.decode(pending));
            }
            out.println();
            out.flush();
        }
    }
}
