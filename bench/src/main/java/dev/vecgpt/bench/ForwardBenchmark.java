package dev.vecgpt.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ForwardCase} with the Vector API kernels, warmed up as {@link MatmulBenchmark} (its matmul is
 * most of the time). At 8 x 1024 one call takes a few seconds, so an iteration holds one call.
 */
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ForwardBenchmark extends ForwardCase {

    @Param({"simd"})
    public String kernels;

    /** All cores of this 2-core machine; on a larger one use e.g. {@code -p threads=8}. */
    @Param({"2"})
    public int threads;

    @Override
    protected int threads() {
        return threads;
    }

    @Override
    protected String kernels() {
        return kernels;
    }
}
