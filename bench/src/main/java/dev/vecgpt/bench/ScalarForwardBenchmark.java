package dev.vecgpt.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ForwardCase} with the scalar reference kernels. One call at 8 x 1024 multiplies 8192 rows by the
 * out_head, ~4 minutes at ~2.5 GFLOP/s, so this is one fork of single timed calls: one to warm up, one
 * measured (~9 minutes in all, most of a full run's time; the quick pass leaves this class out).
 */
@BenchmarkMode(Mode.SingleShotTime)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 1)
@Measurement(iterations = 1)
public class ScalarForwardBenchmark extends ForwardCase {

    @Param({"scalar"})
    public String kernels;

    @Override
    protected String kernels() {
        return kernels;
    }
}
