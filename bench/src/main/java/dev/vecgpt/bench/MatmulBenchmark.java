package dev.vecgpt.bench;

import dev.vecgpt.core.WeightFormat;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MatmulCase} with the Vector API kernels. Five 1 s warmup iterations: the first few seconds of
 * calls run slowly (measured: 2.7-3.7 s per call instead of 9-720 ms) until C2 has compiled the kernel
 * for calls, not just by on-stack replacement of one long call (vector-api-notes section 7).
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatmulBenchmark extends MatmulCase {

    @Param({"simd"})
    public String kernels;

    /** 1 thread and all cores of this 2-core machine; on a larger one add e.g. {@code -p threads=1,8}. */
    @Param({"1", "2"})
    public int threads;

    /** float32 weights, bfloat16 (half the bytes streamed) and Q8_0 int8 (about a quarter). */
    @Param({"F32", "BF16", "Q8_0"})
    public String format;

    @Override
    protected String kernels() {
        return kernels;
    }

    @Override
    protected int threads() {
        return threads;
    }

    @Override
    protected WeightFormat format() {
        return WeightFormat.valueOf(format);
    }
}
