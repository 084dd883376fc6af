package dev.vecgpt.bench;

import static dev.vecgpt.core.GptConfig.GPT_CONFIG_124M;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Token-embedding lookup from GPT-2's {@code [50257, 768]} table, for random (seeded) ids: each row
 * is a 3 KB copy from anywhere in a 154 MB table. The report gives GB/s (bytes read + written).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GatherBenchmark {

    @Param({"scalar", "simd"})
    public String kernels;

    @Param({"8", "1024", "8192"})
    public int tokens;

    private Arena arena;
    private Kernels ops;
    private Tensor table;
    private Tensor out;
    private int[] ids;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        ops = KernelState.kernels(kernels, 1);
        int vocab = GPT_CONFIG_124M.vocabSize();
        table = KernelState.random(arena, 1, vocab, GPT_CONFIG_124M.embDim());
        out = Tensor.allocate(arena, tokens, GPT_CONFIG_124M.embDim());
        ids = new SplittableRandom(2).ints(tokens, 0, vocab).toArray();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public Tensor gather() {
        ops.gather(table, ids, out);
        return out;
    }
}
