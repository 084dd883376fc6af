package dev.vecgpt.spark;

import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.ScoreWindows;
import dev.vecgpt.model.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Texts and tokens per second scoring one corpus: a plain loop in this JVM (1 and 2 threads, a session
 * each, one-thread kernels), then Spark {@code local[1]} and {@code local[2]} on the same model and texts.
 * Each figure is the best of {@code RUNS} timed runs after a warm-up run (which also loads the model).
 *
 * <p>{@code SparkBench [TEXTS WIDTH LAYERS HEADS CONTEXT WINDOW RUNS]}, default {@code 300 256 4 4 128 64 3}:
 * a random checkpoint of that shape with GPT-2's vocabulary, scored in windows of WINDOW tokens.
 */
public final class SparkBench {

    private SparkBench() {
    }

    public static void main(String[] args) throws Exception {
        int[] a = {300, 256, 4, 4, 128, 64, 3};
        for (int i = 0; i < args.length && i < a.length; i++) {
            a[i] = Integer.parseInt(args[i]);
        }
        int texts = a[0], width = a[1], layers = a[2], heads = a[3], context = a[4], window = a[5], runs = a[6];
        Path dir = Files.createTempDirectory("vecgpt-bench");
        Path checkpoint = dir.resolve("model.safetensors");
        RandomCheckpoint.write(checkpoint, width, layers, heads, context, 7);
        List<String> corpus = corpus(texts);
        Tokenizer tokenizer = new Tokenizer();
        long tokens = corpus.stream().mapToLong(t -> tokenizer.encode(t).length).sum();
        System.out.printf(Locale.ROOT, "model: random GPT-2, vocab 50257, width %d, %d layers, %d heads, context %d; "
                + "windows of %d; corpus: %d paragraphs, %d tokens; %d cores, best of %d%n",
                width, layers, heads, context, window, texts, tokens, Runtime.getRuntime().availableProcessors(), runs);
        VecGptOptions options = VecGptOptions.checkpoint(checkpoint.toString()).withWindows(window, window, 4).withThreads(1);
        ScoreWindows windows = TextRows.windows(options);

        double plain1;
        double plain2;
        try (GptModel model = GptModel.load(checkpoint, ModelOptions.DEFAULT.withThreads(1))) {
            plain1 = best(runs, () -> plain(model, corpus, windows, 1));
            plain2 = best(runs, () -> plain(model, corpus, windows, 2));
        }
        report("plain loop, 1 thread", plain1, texts, tokens, plain1);
        report("plain loop, 2 threads", plain2, texts, tokens, plain2);
        double spark1 = spark("local[1]", corpus, options, runs);
        report("Spark local[1]", spark1, texts, tokens, plain1);
        double spark2 = spark("local[2]", corpus, options, runs);
        report("Spark local[2]", spark2, texts, tokens, plain2);
        System.out.printf(Locale.ROOT, "local[2] / local[1]: %.2fx; plain 2 / plain 1: %.2fx%n", spark1 / spark2, plain1 / plain2);
    }

    interface Run {
        void run() throws Exception;
    }

    /** The best wall time of {@code runs} runs after one warm-up, in seconds. */
    static double best(int runs, Run run) throws Exception {
        run.run();
        double best = Double.MAX_VALUE;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            run.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    /** Scores every text on {@code threads} threads, each with its own session, taking the next text as it goes. */
    static void plain(GptModel model, List<String> corpus, ScoreWindows windows, int threads) throws Exception {
        Tokenizer tokenizer = TextRows.TOKENIZER;
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try (GptSession session = model.newSession()) {
                    for (int i; (i = next.getAndIncrement()) < corpus.size(); ) {
                        session.score(tokenizer.encode(corpus.get(i)), windows);
                    }
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
    }

    static double spark(String master, List<String> corpus, VecGptOptions options, int runs) throws Exception {
        SparkSession spark = SparkSession.builder().master(master).appName("vecgpt-bench")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < corpus.size(); i++) {
                rows.add(RowFactory.create(i, corpus.get(i)));
            }
            StructType schema = new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType);
            // Many small partitions, so that two task slots stay busy to the end whatever the texts' lengths.
            Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(16).cache();
            df.count();
            return best(runs, () -> {
                Row sums = VecGpt.score(df, "text", options).selectExpr("sum(tokens)", "count(error)").first();
                if (sums.getLong(1) != 0) {
                    throw new IllegalStateException(sums.getLong(1) + " texts were not scored");
                }
            });
        } finally {
            spark.stop();
        }
    }

    static void report(String what, double seconds, int texts, long tokens, double baseline) {
        System.out.printf(Locale.ROOT, "%-22s %7.2f s  %8.1f texts/s  %9.0f tokens/s  %+6.1f %% vs plain loop at equal cores%n",
                what, seconds, texts / seconds, tokens / seconds, 100 * (seconds / baseline - 1));
    }

    /** Paragraphs of 60 to 180 words of plain English, the same every run. */
    static List<String> corpus(int n) {
        String[] words = ("the of and to in a is that for it as was with be by on not he this are or his from at which "
                + "but have an they you were her she there been one all we their has would when if so no what up out "
                + "time model language data every effort moves forward light river city morning people small great")
                .split(" ");
        SplittableRandom random = new SplittableRandom(2026);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder p = new StringBuilder();
            boolean capital = true;
            for (int w = 60 + random.nextInt(121); w > 0; w--) {
                String word = words[random.nextInt(words.length)];
                p.append(capital ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                capital = random.nextInt(12) == 0;
                p.append(capital ? ". " : " ");
            }
            texts.add(p.toString().trim() + ".");
        }
        return texts;
    }
}
