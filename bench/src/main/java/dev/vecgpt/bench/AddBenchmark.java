package dev.vecgpt.bench;

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

/** Positional-embedding add: {@code [B, T, 768] + [T, 768]}, broadcast over B. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AddBenchmark {

    @Param({"scalar", "simd"})
    public String kernels;

    /** B x T. */
    @Param({"2x4", "8x1024"})
    public String shape;

    private Arena arena;
    private Kernels ops;
    private Tensor a;
    private Tensor b;
    private Tensor out;

    @Setup(Level.Trial)
    public void setUp() {
        String[] bt = shape.split("x");
        int batch = Integer.parseInt(bt[0]);
        int length = Integer.parseInt(bt[1]);
        arena = Arena.ofShared();
        ops = KernelState.kernels(kernels);
        a = KernelState.random(arena, 1, batch, length, 768);
        b = KernelState.random(arena, 2, length, 768);
        out = Tensor.allocate(arena, batch, length, 768);
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
