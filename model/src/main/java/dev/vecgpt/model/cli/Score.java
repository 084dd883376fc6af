package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.Scorer;
import dev.vecgpt.model.Scoring;
import dev.vecgpt.model.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scoring texts ({@link ScoreCommand} is its command line): every input is read and tokenized once to
 * check it (UTF-8, long enough for a window) before the model is built, then again, in pieces, to score.
 */
final class Score {

    /** {@code jsonField}: the inputs are JSON lines, each text in this field; else null. */
    record Options(List<String> inputs, Scoring scoring, boolean lines, String jsonField, boolean json, Path weights,
                   long seed, int modelContext, WeightFormat format) {}

    /** One text to score: a file, standard input, or a line of one. */
    private record Text(String name, byte[] inMemory, Path file) {

        InputStream open() throws IOException {
            return inMemory != null ? new ByteArrayInputStream(inMemory) : Files.newInputStream(file);
        }
    }

    private Score() {}

    static void run(Options options, Kernels kernels, PrintWriter out, PrintWriter err, Progress progress)
            throws IOException {
        GptConfig config = options.weights() == null ? Generate.randomConfig(options.modelContext())
                : GptModel.config(options.weights());
        int length = options.scoring().contextLength() == 0 ? config.contextLength() : options.scoring().contextLength();
        if (length > config.contextLength()) {
            throw new IllegalArgumentException("--context-length " + length + " is longer than the model's context, "
                    + config.contextLength());
        }
        Tokenizer tokenizer = new Tokenizer();
        List<Text> texts = texts(options);
        for (Text text : texts) {
            long[] count = {0};
            try (InputStream in = text.open()) {
                TextSource.tokenize(in, text.name(), tokenizer, ids -> count[0] += ids.length, () -> { });
            }
            if (count[0] <= length) {
                throw new IllegalArgumentException(text.name() + " has " + count[0] + " tokens; scoring needs at least "
                        + (length + 1) + " (a window of " + length + " and its next token)");
            }
        }
        ModelOptions modelOptions = ModelOptions.DEFAULT.withFormat(options.format()).withKernels(kernels);
        double nats = 0;
        long targets = 0;
        try (GptModel model = options.weights() == null ? new GptModel(config, options.seed(), modelOptions)
                : GptModel.load(options.weights(), modelOptions);
             GptSession session = model.newSession()) {
            if (!options.json()) {
                out.println(String.format(Locale.ROOT, "%10s %14s %14s  %s", "tokens", "cross-entropy", "perplexity",
                        "input"));
            }
            for (Text text : texts) {
                dev.vecgpt.model.Score score = score(session, text, options.scoring(), tokenizer, progress);
                print(out, options.json(), text.name(), score.tokens(), score.crossEntropy(), score.perplexity());
                nats += score.crossEntropy() * score.targets();
                targets += score.targets();
            }
            if (texts.size() > 1 && !options.json()) {
                print(out, false, "(all " + texts.size() + ", per target)", -1, nats / targets,
                        Math.exp(nats / targets));
            }
            out.flush();
        }
    }

    private static dev.vecgpt.model.Score score(GptSession session, Text text, Scoring scoring, Tokenizer tokenizer,
                                               Progress progress) throws IOException {
        long size = text.inMemory() != null ? text.inMemory().length : Files.size(text.file());
        int blocks = (int) Math.max(1, (size + TextSource.BLOCK - 1) / TextSource.BLOCK);
        try (Scorer scorer = session.scorer(scoring);
             Progress.Task task = progress.start("scoring " + text.name(), blocks);
             InputStream in = text.open()) {
            TextSource.tokenize(in, text.name(), tokenizer, scorer::accept, task::step);
            return scorer.finish();
        }
    }

    private static void print(PrintWriter out, boolean json, String name, long tokens, double nats, double perplexity) {
        if (json) {
            out.println(String.format(Locale.ROOT,
                    "{\"input\": %s, \"tokens\": %d, \"cross_entropy\": %s, \"perplexity\": %s}",
                    quote(name), tokens, nats, perplexity));
        } else {
            out.println(String.format(Locale.ROOT, "%10s %14.6f %14.4f  %s", tokens < 0 ? "" : String.valueOf(tokens),
                    nats, perplexity, name));
        }
        out.flush();
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    /**
     * The texts of the inputs: whole files (standard input read into memory), each non-empty line, or the
     * given field of each JSON line.
     */
    private static List<Text> texts(Options options) throws IOException {
        List<Text> texts = new ArrayList<>();
        for (String input : options.inputs()) {
            boolean stdin = input.equals("-");
            String name = stdin ? "(standard input)" : input;
            if (!options.lines() && options.jsonField() == null) {
                texts.add(stdin ? new Text(name, System.in.readAllBytes(), null) : new Text(name, null, Path.of(input)));
                continue;
            }
            byte[] bytes = stdin ? System.in.readAllBytes() : Files.readAllBytes(Path.of(input));
            int number = 0;
            int start = 0;
            for (int i = 0; i <= bytes.length; i++) {
                if (i == bytes.length || bytes[i] == '\n') {
                    number++;
                    byte[] line = java.util.Arrays.copyOfRange(bytes, start, i);
                    if (!new String(line, StandardCharsets.UTF_8).isBlank()) {
                        String where = name + ":" + number;
                        texts.add(new Text(where, options.jsonField() == null ? line
                                : JsonLines.field(line, options.jsonField(), where), null));
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
