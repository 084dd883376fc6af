package dev.vecgpt.bench;

import static dev.vecgpt.core.GptConfig.GPT_CONFIG_124M;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
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
 * The real GPT-2 124M ({@link GptModel}, seed 123, eval) generating greedily with its KV cache:
 * {@code prefill} reads a 1024-token prompt and picks one token (compute-bound: every weight meets
 * 1024 rows); {@code decode} is the time per decode step while generating 31 more tokens after a
 * 16-token prompt and its first new token, whose pass runs untimed before each call, as the peers
 * script times ONNX Runtime's steps (memory-bound: every weight is read once per token). The report
 * gives tokens/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class GptBenchmark {

    public static final int PREFILL_TOKENS = 1024;
    static final int DECODE_PROMPT = 16;
    static final int DECODE_TOKENS = 32;

    /** All cores of this 2-core machine; on a larger one use e.g. {@code -p threads=8}. */
    @Param({"2"})
    public int threads;

    /** How every linear layer's weights are stored. */
    @Param({"F32", "BF16", "Q8_0"})
    public String format;

    private Kernels kernels;
    private GptModel model;
    private GptSession session;
    private int[] longPrompt;
    private int[] shortPrompt;

    @Setup(Level.Trial)
    public void setUp() {
        kernels = KernelState.kernels("simd", threads);
        model = new GptModel(GPT_CONFIG_124M, 123,
                ModelOptions.DEFAULT.withKernels(kernels).withFormat(WeightFormat.valueOf(format)));
        session = model.newSession();
        SplittableRandom random = new SplittableRandom(4);
        longPrompt = random.ints(PREFILL_TOKENS, 0, GPT_CONFIG_124M.vocabSize()).toArray();
        shortPrompt = random.ints(DECODE_PROMPT, 0, GPT_CONFIG_124M.vocabSize()).toArray();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        model.close();
        kernels.close();
    }

    @Benchmark
    public int prefill() {
        session.clearCache(); // else the session would reuse the last call's positions
        return session.generate(longPrompt, Generation.greedy(1))[PREFILL_TOKENS];
    }

    @Benchmark
    @OperationsPerInvocation(DECODE_TOKENS - 1)
    public int decode(PromptRead read) {
        return session.generate(read.firstReply, Generation.greedy(DECODE_TOKENS - 1))[DECODE_PROMPT + DECODE_TOKENS - 1];
    }

    /** The short prompt and its first new token, read before each {@code decode} call (untimed): the cache holds the prompt. */
    @State(Scope.Thread)
    public static class PromptRead {

        int[] firstReply;

        @Setup(Level.Invocation)
        public void read(GptBenchmark bench) {
            bench.session.clearCache();
            firstReply = bench.session.generate(bench.shortPrompt, Generation.greedy(1));
        }
    }
}
