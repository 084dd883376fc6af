package dev.vecgpt.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.Sampling;
import dev.vecgpt.model.Score;
import dev.vecgpt.model.ScoreWindows;
import dev.vecgpt.model.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * vecgpt in Spark local mode, one session for the class, on a small random GPT-2 (GPT-2's vocabulary,
 * width 64, 2 layers, context 64) that the test writes: Spark's results equal one JVM's bit for bit.
 */
class VecGptSparkTest {

    @TempDir
    static Path dir;
    static Path checkpoint;
    static SparkSession spark;
    static final StructType DOCS = new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType)
            .add("seed", DataTypes.LongType);
    // Few, short texts: scoring costs about a millisecond per target token here (the loss's exp over
    // 50,257 logits), whatever the model's width.
    static final List<Row> TEXTS = texts(16);

    /** Short overlapping windows (8 tokens, stride 6, 4 windows a pass): texts of a few dozen tokens have several. */
    static VecGptOptions options() {
        return VecGptOptions.checkpoint(checkpoint.toString()).withWindows(8, 6, 4).withMaxTextChars(2000)
                .withMaxNewTokens(6);
    }

    @BeforeAll
    static void start() throws Exception {
        checkpoint = dir.resolve("tiny/model.safetensors");
        RandomCheckpoint.write(checkpoint, 64, 2, 4, 64, 7);
        spark = SparkSession.builder().master("local[2]").appName("vecgpt-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** Texts of 15 to 35 words from a small vocabulary, each with its id and a seed. */
    static List<Row> texts(int n) {
        String[] words = "the a model every effort moves you forward and back of light in data spark token with what".split(" ");
        SplittableRandom random = new SplittableRandom(42);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 15 + random.nextInt(21); w > 0; w--) {
                text.append(words[random.nextInt(words.length)]).append(w % 9 == 0 ? ". " : " ");
            }
            rows.add(RowFactory.create(i, text.toString().trim(), 1000L + i));
        }
        return rows;
    }

    static Dataset<Row> docs(List<Row> rows, int partitions) {
        Dataset<Row> df = spark.createDataFrame(rows, DOCS).repartition(partitions);
        assertEquals(partitions, df.rdd().getNumPartitions());
        return df;
    }

    /** Single-JVM scores, on the JVM's default kernels (2 threads), not on Spark's one thread per task. */
    static Map<Integer, Score> reference(List<Row> rows) throws Exception {
        Tokenizer tokenizer = new Tokenizer();
        Map<Integer, Score> scores = new HashMap<>();
        try (GptModel model = GptModel.load(checkpoint, ModelOptions.DEFAULT);
             GptSession session = model.newSession()) {
            for (Row r : rows) {
                scores.put(r.getInt(0), session.score(tokenizer.encode(r.getString(1)), new ScoreWindows(8, 6, 4))); // as options()
            }
        }
        return scores;
    }

    @Test
    void scoresEqualOneJvmBitForBitWithOneTwoAndSevenPartitions() throws Exception {
        Map<Integer, Score> expected = reference(TEXTS);
        for (int partitions : new int[] {1, 2, 7}) {
            List<Row> got = VecGpt.score(docs(TEXTS, partitions), "text", options()).collectAsList();
            assertEquals(TEXTS.size(), got.size());
            for (Row r : got) {
                Score e = expected.get(r.getInt(r.fieldIndex("id")));
                String where = "text " + r.getInt(0) + " with " + partitions + " partitions";
                assertNull(r.get(r.fieldIndex("error")), where);
                assertEquals(e.tokens(), r.getLong(r.fieldIndex("tokens")), where);
                assertEquals(Double.doubleToRawLongBits(e.crossEntropy()),
                        Double.doubleToRawLongBits(r.getDouble(r.fieldIndex("cross_entropy"))), where);
                assertEquals(Double.doubleToRawLongBits(e.perplexity()),
                        Double.doubleToRawLongBits(r.getDouble(r.fieldIndex("perplexity"))), where);
            }
        }
    }

    @Test
    void sqlFunctionsGiveTheSameScores() throws Exception {
        Map<Integer, Score> expected = reference(TEXTS);
        VecGpt.register(spark, options());
        docs(TEXTS, 3).createOrReplaceTempView("docs");
        List<Row> got = spark.sql("SELECT id, vecgpt_tokens(text), vecgpt_cross_entropy(text), vecgpt_perplexity(text),"
                + " vecgpt_error(text), vecgpt_score(text).perplexity FROM docs").collectAsList();
        assertEquals(TEXTS.size(), got.size());
        for (Row r : got) {
            Score e = expected.get(r.getInt(0));
            assertEquals(e.tokens(), r.getLong(1));
            assertEquals(e.crossEntropy(), r.getDouble(2), 0.0);
            assertEquals(e.perplexity(), r.getDouble(3), 0.0);
            assertNull(r.get(4));
            assertEquals(e.perplexity(), r.getDouble(5), 0.0);
        }
        Row bad = spark.sql("SELECT vecgpt_perplexity(''), vecgpt_error(''), vecgpt_tokens(NULL)").first();
        assertTrue(bad.isNullAt(0));
        assertEquals("text is empty", bad.getString(1));
        assertTrue(bad.isNullAt(2));
    }

    /** Sampled generation (temperature 1, top-k 40, top-p 0.95), each row with its own seed. */
    @Test
    void seededGenerationIsPartitionIndependentAndEqualsOneJvm() throws Exception {
        List<Row> prompts = TEXTS.subList(0, 12);
        VecGptOptions sampled = options().withSampling(1.0f, 40, 0.95f, 0);
        Map<Integer, String> expected = new HashMap<>();
        Map<Integer, String> expectedSeed7 = new HashMap<>();
        Tokenizer tokenizer = new Tokenizer();
        try (GptModel model = GptModel.load(checkpoint, ModelOptions.DEFAULT);
             GptSession session = model.newSession()) {
            for (Row r : prompts) {
                int[] prompt = tokenizer.encode(r.getString(1));
                for (long seed : new long[] {r.getLong(2), 7}) {
                    Sampling sampling = Sampling.random(1.0f, seed).withTopK(40).withTopP(0.95f);
                    int[] out = session.generate(prompt, Generation.of(6, sampling).stopAt(Tokenizer.END_OF_TEXT));
                    (seed == 7 ? expectedSeed7 : expected).put(r.getInt(0),
                            tokenizer.decode(Arrays.copyOfRange(out, prompt.length, out.length)));
                }
            }
        }
        assertTrue(new java.util.HashSet<>(expected.values()).size() > 1, "sampling depends on the seed");
        for (int partitions : new int[] {1, 7}) {
            Map<Integer, String> got = VecGpt.generate(docs(prompts, partitions), "text", "seed", sampled)
                    .collectAsList().stream()
                    .collect(Collectors.toMap(r -> r.getInt(0), r -> r.getString(r.fieldIndex("generated"))));
            assertEquals(expected, got, partitions + " partitions");
        }
        VecGpt.register(spark, sampled);
        docs(prompts, 2).createOrReplaceTempView("prompts");
        for (Row r : spark.sql("SELECT id, vecgpt_generate(text, seed), vecgpt_generate(text, 7) FROM prompts").collectAsList()) {
            assertEquals(expected.get(r.getInt(0)), r.getString(1));
            assertEquals(expectedSeed7.get(r.getInt(0)), r.getString(2));
        }
        VecGpt.register(spark, options()); // the other tests' functions
    }

    @Test
    void badRowsGetNullScoresAndAnErrorWithoutFailingTheJob() {
        String tooLong = "word ".repeat(500); // 2,500 characters over a limit of 2,000
        List<Row> rows = List.of(
                RowFactory.create(0, null, 0L),
                RowFactory.create(1, "", 0L),
                RowFactory.create(2, "Too short.", 0L),
                RowFactory.create(3, tooLong, 0L),
                RowFactory.create(4, "a special <|endoftext|> token", 0L), // 5 tokens, 50256 among them
                TEXTS.get(5));
        Map<Integer, Row> got = VecGpt.score(docs(rows, 2), "text", options()).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getInt(0), r -> r));
        assertEquals("text is null", got.get(0).getString(6));
        assertEquals("text is empty", got.get(1).getString(6));
        assertEquals("the text has 3 tokens; scoring needs at least 9 (a window of 8 and its next token)",
                got.get(2).getString(6));
        assertEquals(3L, got.get(2).getLong(3)); // it was tokenized: the count is known
        assertEquals("text has 2500 characters, over the limit of 2000 (maxTextChars)", got.get(3).getString(6));
        assertEquals("the text has 5 tokens; scoring needs at least 9 (a window of 8 and its next token)",
                got.get(4).getString(6));
        for (int id = 0; id < 5; id++) {
            assertTrue(got.get(id).isNullAt(4) && got.get(id).isNullAt(5), "row " + id + " has no score");
        }
        assertNull(got.get(5).get(6));
        assertNotNull(got.get(5).get(5));

        Map<Integer, Row> generated = VecGpt.generate(docs(rows.subList(0, 3), 1), "text", null, options())
                .collectAsList().stream().collect(Collectors.toMap(r -> r.getInt(0), r -> r));
        assertEquals("text is null", generated.get(0).getString(4));
        assertNull(generated.get(0).get(3));
        assertNull(generated.get(2).get(4)); // a short prompt is fine for generation
    }

    @Test
    void wrongColumnsFailAtOnceWithOneMessage() {
        Dataset<Row> df = docs(TEXTS.subList(0, 2), 1);
        assertEquals("no text column 'body'; the columns are id, text, seed",
                assertThrows(IllegalArgumentException.class, () -> VecGpt.score(df, "body", options())).getMessage());
        assertEquals("the text column 'id' is int, must be string",
                assertThrows(IllegalArgumentException.class, () -> VecGpt.score(df, "id", options())).getMessage());
        Dataset<Row> scored = VecGpt.score(df, "text", options());
        assertEquals("the input already has a column 'tokens', which vecgpt adds: rename or drop it first",
                assertThrows(IllegalArgumentException.class, () -> VecGpt.score(scored, "text", options())).getMessage());
    }

    @Test
    void oneModelPerJvmWhateverTheTasksAndThreadsFollowTaskCpus() throws Exception {
        Path copy = dir.resolve("counted/model.safetensors"); // a path of its own: a cache key no other test loads
        Files.createDirectories(copy.getParent());
        Files.copy(checkpoint, copy);
        Files.copy(checkpoint.resolveSibling("config.json"), copy.resolveSibling("config.json"));
        VecGptOptions counted = VecGptOptions.checkpoint(copy.toString()).withWindows(8, 6, 4).withMaxNewTokens(2);
        int before = VecGpt.modelBuilds();
        List<Row> few = TEXTS.subList(0, 8);
        VecGpt.score(docs(few, 7), "text", counted).collectAsList();
        VecGpt.generate(docs(few, 4), "text", "seed", counted).collectAsList();
        VecGpt.register(spark, counted);
        docs(few, 5).createOrReplaceTempView("counted");
        spark.sql("SELECT vecgpt_perplexity(text) FROM counted").collectAsList();
        assertEquals(before + 1, VecGpt.modelBuilds(), "16 tasks on 2 task threads load the model once");

        MapPartitionsFunction<Row, Integer> threads = rows -> List.of(ModelCache.model(counted).model.kernels().threads()).iterator();
        List<Integer> seen = docs(few, 3).mapPartitions(threads, Encoders.INT()).collectAsList();
        assertEquals(List.of(1, 1, 1), seen, "spark.task.cpus is 1: one kernel thread per task");
    }

    @Test
    void weightsShippedAsSparkFilesScoreTheSame() throws Exception {
        // As --files does: the checkpoint and its config.json land side by side in SparkFiles' directory.
        spark.sparkContext().addFile(checkpoint.toString());
        spark.sparkContext().addFile(checkpoint.resolveSibling("config.json").toString());
        VecGptOptions shipped = VecGptOptions.sparkFile("model.safetensors").withWindows(8, 6, 4);
        List<Row> few = TEXTS.subList(0, 4);
        Map<Integer, Score> expected = reference(few);
        for (Row r : VecGpt.score(docs(few, 2), "text", shipped).collectAsList()) {
            assertEquals(expected.get(r.getInt(0)).crossEntropy(), r.getDouble(r.fieldIndex("cross_entropy")), 0.0);
        }
    }

    @Test
    void scoreJobReadsJsonLinesAndWritesParquet() throws Exception {
        Path input = dir.resolve("texts.jsonl");
        StringBuilder lines = new StringBuilder();
        for (Row r : TEXTS.subList(0, 10)) {
            lines.append("{\"id\": ").append(r.getInt(0)).append(", \"text\": \"").append(r.getString(1)).append("\"}\n");
        }
        lines.append("{\"id\": 99, \"text\": \"\"}\n");
        Files.writeString(input, lines);
        Path output = dir.resolve("scores.parquet");
        ScoreJob.Summary summary = ScoreJob.run(spark, ScoreJob.parse(new String[] {
                "--input", input.toString(), "--output", output.toString(), "--checkpoint", checkpoint.toString(),
                "--context", "8", "--stride", "6", "--batch", "4", "--partitions", "3"}));
        assertEquals(11, summary.rows());
        assertEquals(1, summary.errors());
        Map<Integer, Score> expected = reference(TEXTS.subList(0, 10));
        for (Row r : spark.read().parquet(output.toString()).where("error IS NULL").collectAsList()) {
            int id = (int) r.getLong(r.fieldIndex("id")); // JSON numbers are read as bigint
            assertEquals(expected.get(id).crossEntropy(), r.getDouble(r.fieldIndex("cross_entropy")), 0.0);
        }
        assertEquals("give exactly one of --checkpoint and --spark-file", assertThrows(IllegalArgumentException.class,
                () -> ScoreJob.parse(new String[] {"--input", "a", "--output", "b"})).getMessage());
    }

    /** {@code --format} as the command line takes it: the format's name, in any case; anything else says what is. */
    @Test
    void scoreJobTakesTheFormatInAnyCase() {
        for (String name : new String[] {"bf16", "BF16", "Bf16"}) {
            assertEquals(WeightFormat.BF16, ScoreJob.options(ScoreJob.parse(new String[] {"--input", "a", "--output",
                    "b", "--checkpoint", "c", "--format", name})).format());
        }
        assertEquals("--format is f16, must be one of [F32, BF16, Q8_0] (any case)", assertThrows(
                IllegalArgumentException.class, () -> ScoreJob.parse(new String[] {"--input", "a", "--output", "b",
                        "--checkpoint", "c", "--format", "f16"})).getMessage());
    }
}
