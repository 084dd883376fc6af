package dev.vecgpt.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that dies is run again by Spark ({@code local[2,2]}: two tries per task) and gives the same rows:
 * the first try of one partition fails after its texts were scored, in the same stage.
 */
class TaskRetryTest {

    @TempDir
    static Path dir;
    static SparkSession spark;
    /** Tasks killed on purpose (local mode: the tasks run in this JVM). */
    static final AtomicInteger KILLED = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        VecGptSparkTest.checkpoint = dir.resolve("tiny/model.safetensors");
        RandomCheckpoint.write(VecGptSparkTest.checkpoint, 64, 2, 4, 64, 7);
        spark = SparkSession.builder().master("local[2,2]").appName("vecgpt-retry")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        VecGptSparkTest.spark = spark;
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void aRetriedTaskGivesTheSameScores() {
        List<Row> texts = VecGptSparkTest.texts(8);
        Dataset<Row> scored = VecGpt.score(VecGptSparkTest.docs(texts, 2), "text", VecGptSparkTest.options());
        Map<Integer, String> once = byId(scored.collectAsList());
        MapFunction<Row, Row> dieOnFirstTry = row -> {
            TaskContext task = TaskContext.get();
            if (task.partitionId() == 0 && task.attemptNumber() == 0) {
                KILLED.incrementAndGet();
                throw new IllegalStateException("killed on purpose: first try of partition 0");
            }
            return row;
        };
        Map<Integer, String> retried = byId(scored.map(dieOnFirstTry, Encoders.row(scored.schema())).collectAsList());
        assertTrue(KILLED.get() >= 1, "a task was killed");
        assertEquals(once, retried);
        assertEquals(8, retried.size());
    }

    private static Map<Integer, String> byId(List<Row> rows) {
        return rows.stream().collect(Collectors.toMap(r -> r.getInt(0), Row::toString));
    }
}
