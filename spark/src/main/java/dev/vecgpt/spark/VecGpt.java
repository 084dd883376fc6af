package dev.vecgpt.spark;

import java.util.Iterator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskCompletionListener;

/**
 * vecgpt over Spark: score texts and continue prompts in a {@code Dataset<Row>}, on every executor, one
 * model per executor JVM ({@link ModelCache}), each task on its own session. Rows that cannot be used get
 * null results and a message in {@code error}; the job goes on.
 *
 * <pre>{@code
 * VecGptOptions options = VecGptOptions.checkpoint("/models/gpt2/model.safetensors");
 * Dataset<Row> scored = VecGpt.score(docs, "text", options); // + tokens, cross_entropy, perplexity, error
 * VecGpt.register(spark, options);                            // SELECT vecgpt_perplexity(text) FROM docs
 * }</pre>
 */
public final class VecGpt {

    /** The struct {@code vecgpt_score} returns, and the columns {@link #score} adds. */
    public static final StructType SCORE_FIELDS = new StructType()
            .add("tokens", DataTypes.LongType, true)
            .add("cross_entropy", DataTypes.DoubleType, true)
            .add("perplexity", DataTypes.DoubleType, true)
            .add("error", DataTypes.StringType, true);

    /** The columns {@link #generate} adds. */
    public static final StructType GENERATE_FIELDS = new StructType()
            .add("generated", DataTypes.StringType, true)
            .add("error", DataTypes.StringType, true);

    private VecGpt() {
    }

    /**
     * {@code df} with {@code tokens}, {@code cross_entropy} (nats per target token), {@code perplexity} and
     * {@code error} added: the scores of {@code GptSession.score} over the windows of {@code options}, the
     * same bits as in one JVM whatever the partitioning.
     *
     * @throws IllegalArgumentException if {@code textColumn} is not a string column of {@code df}, or a
     *                                  column to add already exists
     */
    public static Dataset<Row> score(Dataset<Row> df, String textColumn, VecGptOptions options) {
        int text = column(df.schema(), textColumn, "text", false);
        StructType out = extend(df.schema(), SCORE_FIELDS);
        int width = df.schema().size();
        MapPartitionsFunction<Row, Row> run = rows -> withSession(options, rows, (session, row) -> {
            TextRows.Scored s = TextRows.score(session, row.getString(text), options);
            return append(row, width, s.tokens(), s.crossEntropy(), s.perplexity(), s.error());
        });
        return df.mapPartitions(run, Encoders.row(out));
    }

    /**
     * {@code df} with {@code generated} (the text after each prompt: {@code options.maxNewTokens()} tokens,
     * or fewer at {@code <|endoftext|>}) and {@code error} added. Each row is sampled with its own seed, from
     * {@code seedColumn} (an integer column; null there or no column: {@code options.seed()}), so that rows
     * do not depend on the partitioning or on each other.
     */
    public static Dataset<Row> generate(Dataset<Row> df, String promptColumn, String seedColumn, VecGptOptions options) {
        int prompt = column(df.schema(), promptColumn, "prompt", false);
        int seed = seedColumn == null ? -1 : column(df.schema(), seedColumn, "seed", true);
        Samplers.of(options, options.seed()); // sampler settings this model jar cannot run fail here, on the driver
        StructType out = extend(df.schema(), GENERATE_FIELDS);
        int width = df.schema().size();
        MapPartitionsFunction<Row, Row> run = rows -> withSession(options, rows, (session, row) -> {
            Long rowSeed = seed < 0 || row.isNullAt(seed) ? null : ((Number) row.get(seed)).longValue();
            TextRows.Generated g = TextRows.generate(session, row.getString(prompt), rowSeed, options);
            return append(row, width, g.text(), g.error());
        });
        return df.mapPartitions(run, Encoders.row(out));
    }

    /**
     * Registers the SQL functions {@code vecgpt_tokens(text)}, {@code vecgpt_cross_entropy(text)},
     * {@code vecgpt_perplexity(text)}, {@code vecgpt_error(text)}, {@code vecgpt_score(text)} (a struct of
     * all four) and {@code vecgpt_generate(prompt, seed)} on {@code options}' model.
     */
    public static void register(SparkSession spark, VecGptOptions options) {
        SqlFunctions.register(spark, options);
    }

    /** How many models this JVM has loaded (in local mode: the driver's and executors' JVM). */
    public static int modelBuilds() {
        return ModelCache.builds();
    }

    /** One row's work on the task's session. */
    interface RowFunction extends java.io.Serializable {
        Row apply(dev.vecgpt.model.GptSession session, Row row);
    }

    /**
     * Maps a partition lazily on a session borrowed for this task, returned to the executor's pool when the
     * task ends (however it ends).
     */
    private static Iterator<Row> withSession(VecGptOptions options, Iterator<Row> rows, RowFunction f) {
        ModelCache.Lease lease = ModelCache.model(options).borrow();
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) context -> lease.close());
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                return f.apply(lease.session(), rows.next());
            }
        };
    }

    private static Row append(Row row, int width, Object... values) {
        Object[] all = new Object[width + values.length];
        for (int i = 0; i < width; i++) {
            all[i] = row.get(i);
        }
        System.arraycopy(values, 0, all, width, values.length);
        return RowFactory.create(all);
    }

    /** The index of column {@code name}, checked to be a string (or an integer) column. */
    private static int column(StructType schema, String name, String role, boolean integral) {
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("no " + role + " column '" + name + "'; the columns are "
                    + String.join(", ", schema.fieldNames()));
        }
        int index = schema.fieldIndex(name);
        DataType type = schema.fields()[index].dataType();
        boolean ok = integral ? type instanceof IntegralType : type.equals(DataTypes.StringType);
        if (!ok) {
            throw new IllegalArgumentException("the " + role + " column '" + name + "' is " + type.simpleString()
                    + ", must be " + (integral ? "an integer type" : "string"));
        }
        return index;
    }

    private static StructType extend(StructType schema, StructType added) {
        StructType out = schema;
        for (StructField f : added.fields()) {
            if (java.util.Arrays.asList(schema.fieldNames()).contains(f.name())) {
                throw new IllegalArgumentException("the input already has a column '" + f.name()
                        + "', which vecgpt adds: rename or drop it first");
            }
            out = out.add(f);
        }
        return out;
    }
}
