package dev.vecgpt.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
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
 * The second peer of {@link MatmulCase}: ONNX Runtime (CPU, MLAS kernels) running a one-node
 * {@code MatMul} model with W as an initializer ({@link OnnxMatmulModel}, written in setup), on the
 * same seeded X and W, with {@link MatmulBenchmark}'s JMH settings. X and the pre-allocated Y are
 * direct buffers over our off-heap tensors (no copies); {@code intraOpNumThreads} = {@code threads},
 * one inter-op thread, sequential execution, all graph optimizations. ORT may pre-pack W at session
 * creation, as ours does at {@code pack}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class OrtMatmulBenchmark {

    @Param({"1", "2"})
    public int threads;

    @Param({"1x50257x768", "8x50257x768", "128x50257x768", "1024x50257x768"})
    public String shape;

    private Arena arena;
    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor x;
    private OnnxTensor y;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> outputs;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        int[] mnk = KernelState.dims(shape);
        arena = Arena.ofShared();
        Tensor xt = KernelState.random(arena, 1, mnk[0], mnk[2]); // MatmulCase's seeds
        Tensor yt = Tensor.allocate(arena, mnk[0], mnk[1]);
        env = OrtEnvironment.getEnvironment();
        try (Arena scratch = Arena.ofConfined(); OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            Tensor w = KernelState.random(scratch, 2, mnk[1], mnk[2]);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(OnnxMatmulModel.of(w), options);
            x = OnnxTensor.createTensor(env, floats(xt), new long[] {mnk[0], mnk[2]});
            y = OnnxTensor.createTensor(env, floats(yt), new long[] {mnk[0], mnk[1]});
            inputs = Map.of("x", x);
            outputs = Map.of("y", y);
            matmul();
            check(xt, w, yt);
        }
    }

    private static FloatBuffer floats(Tensor t) {
        return t.segment().asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** A few outputs against float64 dot products: the model must compute X · Wᵀ. */
    private static void check(Tensor x, Tensor w, Tensor y) {
        int k = w.shape().dim(1);
        int n = w.shape().dim(0);
        for (int col : new int[] {0, 1, n / 2, n - 1}) {
            double sum = 0;
            double magnitude = 0;
            for (int i = 0; i < k; i++) {
                double p = (double) x.get((long) i) * w.get((long) col * k + i);
                sum += p;
                magnitude += Math.abs(p);
            }
            if (Math.abs(sum - y.get((long) col)) > 1e-5 * magnitude + 1e-6) {
                throw new IllegalStateException("ORT matmul: y[0, " + col + "] = " + y.get((long) col)
                        + ", expected " + sum);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        x.close();
        y.close();
        session.close();
        arena.close();
    }

    @Benchmark
    public OnnxTensor matmul() throws OrtException {
        try (OrtSession.Result r = session.run(inputs, outputs)) {
            return y;
        }
    }
}
