package dev.vecgpt.bench;

import static dev.vecgpt.core.GptConfig.GPT_CONFIG_124M;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.ScoreWindows;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ScoreWindows against prefill on GPT-2 124M (seed 123, float32), both per token in the same fork:
 * {@code score} = {@code session.score} of a 4,097-token text in four 1024-token windows, one batch
 * (the matmuls see 4,096 rows, and every position's logits and cross-entropy are computed);
 * {@code prefill} = one forward pass over a 1024-token prompt with the logits of every position
 * ({@code session.forward}), the same work but the cross-entropy; {@code prefillLast} = a 1024-token
 * prompt read to pick one token (the logits of the last position only, as {@code GptBenchmark.prefill}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ScoreBenchmark {

    static final int WINDOW = 1024;
    static final int WINDOWS = 4;

    @Param({"2"})
    public int threads;

    private Kernels kernels;
    private GptModel model;
    private GptSession session;
    private int[] text;
    private int[] prompt;

    @Setup(Level.Trial)
    public void setUp() {
        kernels = KernelProvider.byName("simd").withThreads(threads);
        model = new GptModel(GPT_CONFIG_124M, 123, ModelOptions.DEFAULT.withKernels(kernels));
        session = model.newSession();
        SplittableRandom random = new SplittableRandom(5);
        text = random.ints(WINDOW * WINDOWS + 1, 0, GPT_CONFIG_124M.vocabSize()).toArray();
        prompt = random.ints(WINDOW, 0, GPT_CONFIG_124M.vocabSize()).toArray();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        model.close();
        kernels.close();
    }

    @Benchmark
    @OperationsPerInvocation(WINDOW * WINDOWS)
    public double score() {
        return session.score(text, new ScoreWindows(WINDOW, WINDOW, WINDOWS)).crossEntropy();
    }

    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public float prefill() {
        try (Arena arena = Arena.ofShared()) {
            return session.forward(new int[][] {prompt}, arena).get(0, WINDOW - 1, 0);
        }
    }

    @Benchmark
    @OperationsPerInvocation(WINDOW)
    public int prefillLast() {
        session.clearCache(); // else the session would reuse the last call's positions
        return session.generate(prompt, Generation.greedy(1))[WINDOW];
    }
}
