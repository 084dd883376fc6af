package dev.vecgpt.bench;

import static dev.vecgpt.core.GptConfig.GPT_CONFIG_124M;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
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

/** Positional-embedding add: {@code [B, T, 768] + [T, 768]}, broadcast over B. Memory-bound: the report gives GB/s. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AddBenchmark {

    @Param({"scalar", "simd"})
    public String kernels;

    /** B x T; named like ForwardBenchmark's, so {@code -p batch=...} selects the same cases in both. */
    @Param({"2x4", "8x1024"})
    public String batch;

    private Arena arena;
    private Kernels ops;
    private Tensor a;
    private Tensor b;
    private Tensor out;

    @Setup(Level.Trial)
    public void setUp() {
        int[] bt = KernelState.dims(batch);
        int d = GPT_CONFIG_124M.embDim();
        arena = Arena.ofShared();
        ops = KernelState.kernels(kernels, 1);
        a = KernelState.random(arena, 1, bt[0], bt[1], d);
        b = KernelState.random(arena, 2, bt[1], d);
        out = Tensor.allocate(arena, bt[0], bt[1], d);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public Tensor add() {
        ops.add(a, b, out);
        return out;
    }
}
