package dev.vecgpt.bench;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
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
 * A training step's matmuls at B·T = 512 rows (batch 2, context 256) and GPT-2 124M's shapes
 * {@code MxNxK} (y [M, N] = x [M, K] · Wᵀ for W [N, K]): the forward on the packed weight, and the two
 * gradients, {@code dx = dy · W} and {@code dW += dyᵀ · x}, on the float32 master weight. Each is
 * {@code 2·M·N·K} FLOPs, so equal times mean the backward runs as fast as the forward.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulBackwardBenchmark {

    /** Attention's projections, the feed-forward's up and down, the output head. */
    @Param({"512x768x768", "512x3072x768", "512x768x3072", "512x50257x768"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private Kernels ops;
    private Tensor x;
    private Tensor w;
    private PackedWeight packed;
    private Tensor y;
    private Tensor dx;
    private Tensor dw;

    @Setup(Level.Trial)
    public void setUp() {
        int[] mnk = KernelState.dims(shape);
        arena = Arena.ofShared();
        ops = KernelState.kernels("simd", threads);
        x = KernelState.random(arena, 1, mnk[0], mnk[2]);
        w = KernelState.random(arena, 2, mnk[1], mnk[2]);
        packed = ops.pack(w, arena);
        y = KernelState.random(arena, 3, mnk[0], mnk[1]);
        dx = Tensor.allocate(arena, mnk[0], mnk[2]);
        dw = Tensor.allocate(arena, mnk[1], mnk[2]);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ops.close();
        arena.close();
    }

    @Benchmark
    public Tensor forward() {
        ops.matmul(x, packed, y);
        return y;
    }

    @Benchmark
    public Tensor backwardInput() {
        ops.matmulBackwardInput(y, w, dx);
        return dx;
    }

    @Benchmark
    public Tensor backwardWeight() {
        ops.matmulBackwardWeight(y, x, dw);
        return dw;
    }
}
