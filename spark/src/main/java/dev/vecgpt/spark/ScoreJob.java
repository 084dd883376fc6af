package dev.vecgpt.spark;

import dev.vecgpt.core.WeightFormat;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Scores a corpus: reads texts from JSON lines or Parquet, writes Parquet with the input columns plus
 * {@code tokens, cross_entropy, perplexity, error}. Run by {@code spark-submit}, or by plain {@code java}
 * with Spark's jars on the class path (then {@code --master}, default {@code local[*]}).
 */
public final class ScoreJob {

    static final String USAGE = """
            usage: ScoreJob --input PATH --output DIR (--checkpoint FILE | --spark-file NAME) [options]
              --input PATH          JSON lines (one object a line) or Parquet (by --input-format, else a .parquet name)
              --input-format F      json | parquet
              --output DIR          Parquet output directory (replaced)
              --checkpoint FILE     model.safetensors at a path every node can read (config.json beside it)
              --spark-file NAME     the file name of a checkpoint shipped with --files model.safetensors,config.json
              --column NAME         the text column (default text)
              --format F            F32 | BF16 | Q8_0 weights in memory, any case (default F32)
              --context N --stride N --batch N   scoring windows (default: the model's context, side by side, 4)
              --max-chars N         longer texts get an error row (default 1000000)
              --partitions N        repartition the input first (default: as read)
              --master URL          when not run by spark-submit (default local[*])""";

    private ScoreJob() {
    }

    public static void main(String[] args) {
        Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        SparkSession.Builder builder = SparkSession.builder().appName("vecgpt-score");
        if (opts.containsKey("master") || !new SparkConf().contains("spark.master")) {
            builder.master(opts.getOrDefault("master", "local[*]"));
        }
        SparkSession spark = builder.getOrCreate();
        try {
            Summary s = run(spark, opts);
            System.out.printf(Locale.ROOT, "scored %d texts (%d errors, %d tokens) into %s in %.1f s%n",
                    s.rows(), s.errors(), s.tokens(), opts.get("output"), s.seconds());
        } finally {
            spark.stop();
        }
    }

    /** What {@link #run} wrote. */
    public record Summary(long rows, long errors, long tokens, double seconds) {
    }

    /** Reads, scores and writes as {@code opts} (parsed arguments, without dashes) say. */
    public static Summary run(SparkSession spark, Map<String, String> opts) {
        long start = System.nanoTime();
        String input = opts.get("input");
        String format = opts.getOrDefault("input-format", input.endsWith(".parquet") ? "parquet" : "json");
        Dataset<Row> texts = switch (format) {
            case "json" -> spark.read().json(input);
            case "parquet" -> spark.read().parquet(input);
            default -> throw new IllegalArgumentException("--input-format is " + format + ", must be json or parquet");
        };
        if (opts.containsKey("partitions")) {
            texts = texts.repartition(Integer.parseInt(opts.get("partitions")));
        }
        Dataset<Row> scored = VecGpt.score(texts, opts.getOrDefault("column", "text"), options(opts));
        scored.write().mode(SaveMode.Overwrite).parquet(opts.get("output"));
        Row totals = spark.read().parquet(opts.get("output"))
                .selectExpr("count(*)", "count(error)", "coalesce(sum(tokens), 0)").first();
        return new Summary(totals.getLong(0), totals.getLong(1), totals.getLong(2), (System.nanoTime() - start) / 1e9);
    }

    static VecGptOptions options(Map<String, String> opts) {
        VecGptOptions o = opts.containsKey("checkpoint") ? VecGptOptions.checkpoint(opts.get("checkpoint"))
                : VecGptOptions.sparkFile(opts.get("spark-file"));
        o = o.withFormat(format(opts.getOrDefault("format", "F32")));
        o = o.withWindows(intOpt(opts, "context", 0), intOpt(opts, "stride", 0), intOpt(opts, "batch", 4));
        return o.withMaxTextChars(intOpt(opts, "max-chars", o.maxTextChars()));
    }

    private static final List<String> KEYS = List.of("input", "input-format", "output", "checkpoint", "spark-file",
            "column", "format", "context", "stride", "batch", "max-chars", "partitions", "master");

    /** {@code --key value} pairs; unknown keys, missing values and missing required keys throw with one message. */
    static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (key == null || !KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            opts.put(key, args[i + 1]);
        }
        if (!opts.containsKey("input") || !opts.containsKey("output")) {
            throw new IllegalArgumentException("--input and --output are required");
        }
        if (opts.containsKey("checkpoint") == opts.containsKey("spark-file")) {
            throw new IllegalArgumentException("give exactly one of --checkpoint and --spark-file");
        }
        if (opts.containsKey("format")) {
            format(opts.get("format")); // checked before Spark starts
        }
        return opts;
    }

    /** A weight format by name in any case, as the command line's {@code --format} takes it. */
    static WeightFormat format(String name) {
        try {
            return WeightFormat.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format is " + name + ", must be one of "
                    + Arrays.toString(WeightFormat.values()) + " (any case)");
        }
    }

    private static int intOpt(Map<String, String> opts, String key, int otherwise) {
        String v = opts.get(key);
        try {
            return v == null ? otherwise : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " is " + v + ", must be an integer");
        }
    }
}
