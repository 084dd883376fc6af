package dev.vecgpt.spark;

import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;

/** The SQL functions of {@link VecGpt#register}. */
final class SqlFunctions {

    /** The last text this thread scored: {@code SELECT vecgpt_tokens(t), vecgpt_perplexity(t)} runs the model once. */
    private record Last(String text, VecGptOptions options, TextRows.Scored score) {
    }

    private static final ThreadLocal<Last> LAST = new ThreadLocal<>();

    private SqlFunctions() {
    }

    static void register(SparkSession spark, VecGptOptions options) {
        var udf = spark.udf();
        udf.register("vecgpt_tokens", (UDF1<String, Long>) t -> score(t, options).tokens(), DataTypes.LongType);
        udf.register("vecgpt_cross_entropy", (UDF1<String, Double>) t -> score(t, options).crossEntropy(), DataTypes.DoubleType);
        udf.register("vecgpt_perplexity", (UDF1<String, Double>) t -> score(t, options).perplexity(), DataTypes.DoubleType);
        udf.register("vecgpt_error", (UDF1<String, String>) t -> score(t, options).error(), DataTypes.StringType);
        udf.register("vecgpt_score", (UDF1<String, org.apache.spark.sql.Row>) t -> {
            TextRows.Scored s = score(t, options);
            return RowFactory.create(s.tokens(), s.crossEntropy(), s.perplexity(), s.error());
        }, VecGpt.SCORE_FIELDS);
        // The seed arrives as whatever integer type the query gives it (an INT literal, a BIGINT column).
        udf.register("vecgpt_generate", (UDF2<String, Object, String>) (prompt, seed) -> {
            Long rowSeed = seed == null ? null : ((Number) seed).longValue();
            try (ModelCache.Lease lease = ModelCache.model(options).borrow()) {
                return TextRows.generate(lease.session(), prompt, rowSeed, options).text();
            }
        }, DataTypes.StringType);
    }

    private static TextRows.Scored score(String text, VecGptOptions options) {
        Last last = LAST.get();
        // Equal texts have equal scores, so a repeat (the same row, or a duplicate) is served from here.
        if (last != null && java.util.Objects.equals(last.text(), text) && last.options().equals(options)) {
            return last.score();
        }
        TextRows.Scored s;
        try (ModelCache.Lease lease = ModelCache.model(options).borrow()) {
            s = TextRows.score(lease.session(), text, options);
        }
        LAST.set(new Last(text, options, s));
        return s;
    }
}
