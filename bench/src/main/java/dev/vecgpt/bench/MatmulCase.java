package dev.vecgpt.bench;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;
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
 * {@code Y = X · Wᵀ} with our kernels: the out_head ({@code M x 768} times {@code [50257, 768]}) at three
 * batch sizes, and a square 1024³ case. Shapes are {@code MxNxK}; the report gives GFLOP/s
 * ({@code 2·M·N·K}). The scalar reference runs on the calling thread; {@link MatmulBenchmark} runs ours
 * on 1 and on all threads, with float32 and with bfloat16 weights.
 *
 * <p>{@code simd} multiplies by a weight packed once in setup, as the model does; {@code scalar} is the
 * plain reference loop on the unpacked weight. The two differ by ~40x in speed, so each has its own JMH
 * settings: {@link MatmulBenchmark} and {@link ScalarMatmulBenchmark} only choose the kernels and the
 * timing. OpenBLAS, the peer, is {@link OpenBlasMatmulBenchmark}, on the same seeded inputs.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public abstract class MatmulCase {

    /**
     * The out_head at M = 1 (a decode step's), 8, 128, 1024 (K = 768, N = vocabulary), and one square
     * case. The decode step's smaller weights fit in L3 one at a time: {@link DecodeMatmulBenchmark}
     * streams all of them.
     */
    @Param({"1x50257x768", "8x50257x768", "128x50257x768", "1024x50257x768", "1024x1024x1024"})
    public String shape;

    private Arena arena;
    private Kernels ops;
    private Tensor x;
    private Tensor w;
    private Tensor y;
    /** Null for the scalar reference, which multiplies by {@link #w} directly. */
    private PackedWeight packed;

    /** The kernels under test: the subclass's {@code kernels} parameter. */
    protected abstract String kernels();

    /** Threads our kernels may use. */
    protected int threads() {
        return 1;
    }

    /** How the packed weight is stored. */
    protected WeightFormat format() {
        return WeightFormat.F32;
    }

    @Setup(Level.Trial)
    public void setUp() {
        int[] mnk = KernelState.dims(shape);
        arena = Arena.ofShared();
        ops = KernelState.kernels(kernels(), threads());
        x = KernelState.random(arena, 1, mnk[0], mnk[2]);
        w = KernelState.random(arena, 2, mnk[1], mnk[2]);
        y = Tensor.allocate(arena, mnk[0], mnk[1]);
        packed = kernels().equals("scalar") ? null : ops.pack(w, format(), arena);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ops.close();
        arena.close();
    }

    @Benchmark
    public Tensor matmul() {
        if (packed == null) {
            ops.matmul(x, w, y);
        } else {
            ops.matmul(x, packed, y);
        }
        return y;
    }
}
