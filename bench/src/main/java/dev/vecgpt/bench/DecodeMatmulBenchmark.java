package dev.vecgpt.bench;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
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
 * The matmuls of one GPT-2 124M decode step, and nothing else: for each of 12 layers, x [1, 768]
 * times its own Q/K/V (768→2304), attention output (768→768), feed-forward up (768→3072) and down
 * (3072→768) weights, then the out_head (768→50257). 124 M weights, 494 MB as float32: far more
 * than the caches (a single 768 × 2304 weight would stay in a 32 MB L3 and time L3, not DRAM), so
 * this is the decode roofline test: its bytes ÷ time against {@link MemoryBandwidthBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class DecodeMatmulBenchmark {

    static final int LAYERS = 12;
    static final int D = 768;
    static final int VOCAB = 50257;
    /** out, in of each layer's four weights. */
    private static final int[][] LAYER = {{3 * D, D}, {D, D}, {4 * D, D}, {D, 4 * D}};

    @Param({"1", "2"})
    public int threads;

    @Param({"F32", "BF16", "Q8_0"})
    public String format;

    private Arena arena;
    private Kernels ops;
    private PackedWeight[] weights;
    private Tensor[] inputs;
    private Tensor[] outputs;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        ops = KernelState.kernels("simd", threads);
        WeightFormat f = WeightFormat.valueOf(format);
        int count = LAYERS * LAYER.length + 1;
        weights = new PackedWeight[count];
        inputs = new Tensor[count];
        outputs = new Tensor[count];
        try (Arena scratch = Arena.ofConfined()) {
            for (int i = 0; i < count; i++) {
                int[] shape = i < count - 1 ? LAYER[i % LAYER.length] : new int[] {VOCAB, D};
                weights[i] = ops.pack(KernelState.random(scratch, 10 + i, shape[0], shape[1]), f, arena);
                inputs[i] = KernelState.random(arena, 1000 + i, 1, shape[1]);
                outputs[i] = Tensor.allocate(arena, 1, shape[0]);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ops.close();
        arena.close();
    }

    @Benchmark
    public Tensor step() {
        for (int i = 0; i < weights.length; i++) {
            ops.matmul(inputs[i], weights[i], outputs[i]);
        }
        return outputs[outputs.length - 1];
    }
}
