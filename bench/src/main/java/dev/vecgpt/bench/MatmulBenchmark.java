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

/**
 * {@code Y = X · Wᵀ}: the out_head ({@code M x 768} times {@code [50257, 768]}) at three batch sizes,
 * and a square 1024³ case. Shapes are {@code MxNxK}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class MatmulBenchmark {

    @Param({"scalar", "simd"})
    public String kernels;

    @Param({"8x50257x768", "128x50257x768", "1024x50257x768", "1024x1024x1024"})
    public String shape;

    private Arena arena;
    private Kernels ops;
    private Tensor x;
    private Tensor w;
    private Tensor y;

    @Setup(Level.Trial)
    public void setUp() {
        String[] mnk = shape.split("x");
        int m = Integer.parseInt(mnk[0]);
        int n = Integer.parseInt(mnk[1]);
        int k = Integer.parseInt(mnk[2]);
        arena = Arena.ofShared();
        ops = KernelState.kernels(kernels);
        x = KernelState.random(arena, 1, m, k);
        w = KernelState.random(arena, 2, n, k);
        y = Tensor.allocate(arena, m, n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public Tensor matmul() {
        ops.matmul(x, w, y);
        return y;
    }
}
