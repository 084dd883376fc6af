package dev.vecgpt.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
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
 * The peer of {@link MatmulCase}: OpenBLAS {@code cblas_sgemm(RowMajor, NoTrans, Trans, M, N, K, 1,
 * X, K, W, K, 0, Y, N)}, i.e. the same {@code Y = X · Wᵀ} on the same seeded inputs in the same off-heap
 * memory (no copies), with {@link MatmulBenchmark}'s JMH settings. OpenBLAS packs W internally on every
 * call; ours packs it once, ahead of time, as a model does with static weights.
 *
 * <p>{@code threads} is OpenBLAS's thread count: 1, and all cores of this 2-core machine. On a larger
 * machine, run with {@code -p threads=1,N}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class OpenBlasMatmulBenchmark {

    @Param({"1", "2"})
    public int threads;

    @Param({"8x50257x768", "128x50257x768", "1024x50257x768", "1024x1024x1024"})
    public String shape;

    private Arena arena;
    private int m;
    private int n;
    private int k;
    private Tensor x;
    private Tensor w;
    private Tensor y;
    private FloatPointer px;
    private FloatPointer pw;
    private FloatPointer py;

    @Setup(Level.Trial)
    public void setUp() {
        int[] mnk = KernelState.dims(shape);
        m = mnk[0];
        n = mnk[1];
        k = mnk[2];
        arena = Arena.ofShared();
        x = KernelState.random(arena, 1, m, k);
        w = KernelState.random(arena, 2, n, k);
        y = Tensor.allocate(arena, m, n);
        px = OpenBlas.pointer(x.segment());
        pw = OpenBlas.pointer(w.segment());
        py = OpenBlas.pointer(y.segment());
        OpenBlas.threads(threads);
        System.out.println("OpenBLAS " + OpenBlas.threads() + " thread(s), core " + OpenBlas.describe());
        sgemm();
        checkCorner();
    }

    /** Catches a wrong transpose or leading dimension before anything is timed: Y[0,0] and Y[M-1,N-1]. */
    private void checkCorner() {
        for (int[] rc : new int[][] {{0, 0}, {m - 1, n - 1}}) {
            double expected = 0;
            for (int i = 0; i < k; i++) {
                expected += (double) x.get((long) rc[0] * k + i) * w.get((long) rc[1] * k + i);
            }
            float actual = y.get((long) rc[0] * n + rc[1]);
            if (Math.abs(actual - expected) > 1e-3 * Math.sqrt(k)) {
                throw new IllegalStateException("cblas_sgemm gave Y[" + rc[0] + "," + rc[1] + "] = " + actual
                        + ", expected " + expected);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        px.close();
        pw.close();
        py.close();
        arena.close();
    }

    @Benchmark
    public Tensor matmul() {
        sgemm();
        return y;
    }

    private void sgemm() {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1f, px, k, pw, k, 0f, py, n);
    }
}
