package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.Score;
import dev.vecgpt.model.ScoreWindows;
import dev.vecgpt.model.Scorer;
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

/**
 * Scores files ({@link ScoreCommand} is its command line): every text is read and tokenized once to check
 * it (UTF-8, long enough for a window) before the model is built, then again, in pieces, to score. A file
 * too short for a window is an error; a line (or JSON line) too short gets a row saying so, and the others
 * are scored.
 */
final class ScoreFiles {

    /**
     * What to score, and with which model.
     *
     * @param contextLength the random model's context length (a checkpoint has its own)
     * @param jsonField     the inputs are JSON lines, each text in this field; else null
     * @param refuseMarks   {@code <|endoftext|>} in a text is an error instead of a token
     */
    record Options(List<String> inputs, ScoreWindows windows, boolean lines, String jsonField, boolean json,
                   Path weights, long seed, int contextLength, WeightFormat format, boolean refuseMarks) {}

    /** One text to score: a file, or a line of one; {@code line}: a record among others, not a whole input. */
    private record Text(String name, byte[] inMemory, Path file, boolean line) {

        InputStream open() throws IOException {
            return inMemory != null ? new ByteArrayInputStream(inMemory) : Files.newInputStream(file);
        }

        long size() throws IOException {
            return inMemory != null ? inMemory.length : Files.size(file);
        }
    }

    private ScoreFiles() {}

    static void run(Options options, Kernels kernels, PrintWriter out, PrintWriter err, Progress progress)
            throws IOException {
        GptConfig config = options.weights() == null ? Generate.randomConfig(options.contextLength())
                : GptModel.config(options.weights());
        int window = options.windows().window() == 0 ? config.contextLength() : options.windows().window();
        if (window > config.contextLength()) {
            throw new IllegalArgumentException("--window " + window + " is longer than the model's context, "
                    + config.contextLength());
        }
        int stride = options.windows().stride() == 0 ? window : options.windows().stride();
        if (stride > window) {
            err.println("vecgpt: note: --stride " + stride + " is longer than the window, " + window + ": "
                    + (stride - window) + " tokens after each window are not scored");
        }
        List<Path> spooled = new ArrayList<>();
        try {
            List<Text> texts = texts(options, spooled);
            String[] tooShort = check(texts, window, options.refuseMarks());
            score(options, kernels, config, texts, tooShort, out, progress);
        } finally {
            for (Path file : spooled) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Each text's reason not to be scored (too short), or null; a whole file too short is an error. */
    private static String[] check(List<Text> texts, int window, boolean refuseMarks) throws IOException {
        Tokenizer tokenizer = new Tokenizer();
        String[] tooShort = new String[texts.size()];
        for (int t = 0; t < texts.size(); t++) {
            Text text = texts.get(t);
            long[] count = {0};
            try (InputStream in = text.open()) {
                TextSource.tokenize(in, text.name(), tokenizer, refuseMarks, ids -> count[0] += ids.length, () -> { });
            }
            if (count[0] <= window) {
                String reason = "has " + count[0] + " tokens; scoring needs at least " + (window + 1) + " (a window of "
                        + window + " and its next token)";
                if (!text.line()) {
                    throw new IllegalArgumentException(text.name() + " " + reason);
                }
                tooShort[t] = reason;
            }
        }
        if (Arrays.stream(tooShort).allMatch(r -> r != null)) {
            throw new IllegalArgumentException("no text to score: every one is shorter than a window of " + window
                    + " and its next token");
        }
        return tooShort;
    }

    private static void score(Options options, Kernels kernels, GptConfig config, List<Text> texts, String[] tooShort,
                              PrintWriter out, Progress progress) throws IOException {
        ModelOptions modelOptions = ModelOptions.DEFAULT.withFormat(options.format()).withKernels(kernels);
        Tokenizer tokenizer = new Tokenizer();
        double nats = 0;
        long targets = 0;
        int scored = 0;
        try (GptModel model = options.weights() == null ? new GptModel(config, options.seed(), modelOptions)
                : GptModel.load(options.weights(), modelOptions);
             GptSession session = model.newSession()) {
            if (!options.json()) {
                out.println(String.format(Locale.ROOT, "%10s %10s %14s %14s  %s", "tokens", "targets", "cross-entropy",
                        "perplexity", "input"));
                out.flush();
            }
            for (int t = 0; t < texts.size(); t++) {
                Text text = texts.get(t);
                if (tooShort[t] != null) {
                    printTooShort(out, options.json(), text.name(), tooShort[t]);
                    continue;
                }
                Score score = score(session, text, options, tokenizer, progress);
                print(out, options.json(), text.name(), score);
                nats += score.crossEntropy() * score.targets();
                targets += score.targets();
                scored++;
            }
            if (texts.size() > 1 && !options.json()) {
                double mean = nats / targets;
                out.println(String.format(Locale.ROOT, "%10s %10d %14.6f %14.4f  %s", "", targets, mean, Math.exp(mean),
                        "(all " + scored + " scored, per target)"));
            }
            out.flush();
        }
    }

    private static Score score(GptSession session, Text text, Options options, Tokenizer tokenizer, Progress progress)
            throws IOException {
        int blocks = (int) Math.max(1, (text.size() + TextSource.BLOCK - 1) / TextSource.BLOCK);
        try (Scorer scorer = session.scorer(options.windows());
             Progress.Task task = progress.start("scoring " + text.name(), blocks);
             InputStream in = text.open()) {
            TextSource.tokenize(in, text.name(), tokenizer, options.refuseMarks(), scorer::accept, task::step);
            return scorer.finish();
        }
    }

    private static void print(PrintWriter out, boolean json, String name, Score score) {
        if (json) {
            out.println(String.format(Locale.ROOT,
                    "{\"input\": %s, \"tokens\": %d, \"targets\": %d, \"cross_entropy\": %s, \"perplexity\": %s}",
                    JsonLines.quote(name), score.tokens(), score.targets(), score.crossEntropy(), score.perplexity()));
        } else {
            out.println(String.format(Locale.ROOT, "%10d %10d %14.6f %14.4f  %s", score.tokens(), score.targets(),
                    score.crossEntropy(), score.perplexity(), name));
        }
        out.flush();
    }

    private static void printTooShort(PrintWriter out, boolean json, String name, String reason) {
        if (json) {
            out.println("{\"input\": " + JsonLines.quote(name) + ", \"error\": " + JsonLines.quote(reason) + "}");
        } else {
            out.println(String.format(Locale.ROOT, "%10s %10s %14s %14s  %s (not scored: %s)", "", "", "-", "-", name,
                    reason));
        }
        out.flush();
    }

    /**
     * The texts of the inputs: whole files, each non-empty line, or the given field of each JSON line. An
     * input that is not a regular file (standard input, a pipe such as {@code <(cat f)}) is copied to a
     * temporary file first, since it is read twice; its copy is added to {@code spooled}.
     */
    private static List<Text> texts(Options options, List<Path> spooled) throws IOException {
        List<Text> texts = new ArrayList<>();
        for (String input : options.inputs()) {
            boolean stdin = input.equals("-");
            String name = stdin ? "(standard input)" : input;
            Path file = stdin ? null : Path.of(input);
            if (stdin || !Files.isRegularFile(file)) {
                Path copy = Files.createTempFile("vecgpt-score-", ".txt");
                spooled.add(copy);
                try (InputStream in = stdin ? System.in : Files.newInputStream(file)) {
                    Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                file = copy;
            }
            if (!options.lines() && options.jsonField() == null) {
                texts.add(new Text(name, null, file, false));
                continue;
            }
            byte[] bytes = Files.readAllBytes(file);
            int number = 0;
            int start = 0;
            for (int i = 0; i <= bytes.length; i++) {
                if (i == bytes.length || bytes[i] == '\n') {
                    number++;
                    byte[] line = Arrays.copyOfRange(bytes, start, i);
                    if (!new String(line, StandardCharsets.UTF_8).isBlank()) {
                        String where = name + ":" + number;
                        texts.add(new Text(where, options.jsonField() == null ? line
                                : JsonLines.field(line, options.jsonField(), where), null, true));
                    }
                    start = i + 1;
                }
            }
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no text to score: every line is empty");
        }
        return texts;
    }
}
