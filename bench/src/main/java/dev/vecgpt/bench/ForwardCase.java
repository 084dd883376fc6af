package dev.vecgpt.bench;

import static dev.vecgpt.core.GptConfig.GPT_CONFIG_124M;

import dev.vecgpt.core.Tensor;
import dev.vecgpt.model.notebook.DummyGptModel;
import dev.vecgpt.model.Tokenizer;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One eval-mode forward pass of the GPT-2 124M {@link DummyGptModel} (seed 123, as the notebook), from
 * token ids to logits: the notebook's batch (2 x 4, "Every effort moves you" / "Every day holds a"), and
 * 8 x 1024 seeded random ids. The report gives tokens/s. Time is dominated by the out_head matmul.
 *
 * <p>Each call allocates its {@code [B, T, 50257]} logits (1.6 GB at 8 x 1024) in a shared arena that
 * it closes, as a caller of {@code forward} does; it returns one logit so nothing is dead code.
 *
 * <p>{@link ForwardBenchmark} and {@link ScalarForwardBenchmark} choose the kernels and the JMH settings.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public abstract class ForwardCase {

    /** B x T; named like AddBenchmark's, so {@code -p batch=...} selects the same cases in both. */
    @Param({"2x4", "8x1024"})
    public String batch;

    private static final List<String> NOTEBOOK_TEXTS = List.of("Every effort moves you", "Every day holds a");

    private DummyGptModel model;
    private int[][] ids;

    /** The kernels under test: the subclass's {@code kernels} parameter. */
    protected abstract String kernels();

    /** Threads the kernels may use. */
    protected int threads() {
        return 1;
    }

    @Setup(Level.Trial)
    public void setUp() {
        int[] bt = KernelState.dims(batch);
        ids = batch.equals("2x4") ? new Tokenizer().encodeBatch(NOTEBOOK_TEXTS) : randomIds(bt);
        if (ids.length != bt[0] || ids[0].length != bt[1]) {
            throw new IllegalStateException("the notebook's texts are not " + batch + " tokens");
        }
        model = new DummyGptModel(GPT_CONFIG_124M, 123, KernelState.kernels(kernels(), threads())).eval();
    }

    private static int[][] randomIds(int[] bt) {
        SplittableRandom random = new SplittableRandom(3);
        int[][] ids = new int[bt[0]][];
        for (int b = 0; b < bt[0]; b++) {
            ids[b] = random.ints(bt[1], 0, GPT_CONFIG_124M.vocabSize()).toArray();
        }
        return ids;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    @Benchmark
    public float forward() {
        try (Arena arena = Arena.ofShared()) { // shared, so that the kernels may use their threads
            Tensor logits = model.forward(ids, arena);
            return logits.get(logits.size() - 1);
        }
    }
}
