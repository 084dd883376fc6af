package dev.vecgpt.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MatmulCase} with the scalar reference kernels. One call at M = 1024 takes ~30 s (79 GFLOP at
 * ~2.5 GFLOP/s), so each iteration is a single timed call (SingleShotTime) and there are few: one fork,
 * one warmup call (the simple loop is compiled within it), three measured calls; ~2.5 minutes in all.
 */
@BenchmarkMode(Mode.SingleShotTime)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class ScalarMatmulBenchmark extends MatmulCase {

    @Param({"scalar"})
    public String kernels;

    @Override
    protected String kernels() {
        return kernels;
    }
}
