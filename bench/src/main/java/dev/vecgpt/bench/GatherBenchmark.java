package dev.vecgpt.bench;

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

/** Token-embedding lookup from GPT-2's {@code [50257, 768]} table. */
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
        ops = KernelState.kernels(kernels);
        table = KernelState.random(arena, 1, 50257, 768);
        out = Tensor.allocate(arena, tokens, 768);
        ids = new SplittableRandom(2).ints(tokens, 0, 50257).toArray();
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
