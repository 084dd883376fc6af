package dev.vecgpt.bench;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * Machine baseline: the float32 FMA peak reachable from Java, as a loop of register-resident FMAs on
 * {@code FloatVector.SPECIES_PREFERRED} with 12 independent accumulators (enough to cover the FMA latency
 * times the FMA ports of current x86 cores), on 1 thread and on all cores. It is the roofline for the
 * compute-bound matmuls (M = 128, 1024 and 1024³): the report gives their fraction of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FmaPeakBenchmark {

    /**
     * Floating-point operations per thread and call (an FMA counts 2): 3·2^28, which 12 accumulators x
     * 2 FLOP x 4, 8 or 16 lanes divide exactly, so every vector width does the same work (~7 ms at peak).
     */
    public static final long FLOP_PER_THREAD = 3L << 28;

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int ITERATIONS = (int) (FLOP_PER_THREAD / (12L * 2 * SPECIES.length()));

    /** 1, and all cores of this 2-core machine; {@code -p threads=1,N} on a larger one. */
    @Param({"1", "2"})
    public int threads;

    private ThreadSplit split;

    @Setup(Level.Trial)
    public void setUp() {
        split = new ThreadSplit(threads, "fma");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        split.close();
    }

    @Benchmark
    public float fmaPeak() throws InterruptedException, ExecutionException {
        return split.sum(part -> fmaLoop(ITERATIONS));
    }

    /**
     * {@code a = a * 0.9999 + 0.0001} on 12 chains: the values converge to 1 and stay normal (no
     * denormal slow path, no overflow), and each chain depends on its last value so nothing is folded.
     */
    static float fmaLoop(int iterations) {
        FloatVector m = FloatVector.broadcast(SPECIES, 0.9999f);
        FloatVector c = FloatVector.broadcast(SPECIES, 0.0001f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 0.10f);
        FloatVector a1 = FloatVector.broadcast(SPECIES, 0.11f);
        FloatVector a2 = FloatVector.broadcast(SPECIES, 0.12f);
        FloatVector a3 = FloatVector.broadcast(SPECIES, 0.13f);
        FloatVector a4 = FloatVector.broadcast(SPECIES, 0.14f);
        FloatVector a5 = FloatVector.broadcast(SPECIES, 0.15f);
        FloatVector a6 = FloatVector.broadcast(SPECIES, 0.16f);
        FloatVector a7 = FloatVector.broadcast(SPECIES, 0.17f);
        FloatVector a8 = FloatVector.broadcast(SPECIES, 0.18f);
        FloatVector a9 = FloatVector.broadcast(SPECIES, 0.19f);
        FloatVector a10 = FloatVector.broadcast(SPECIES, 0.20f);
        FloatVector a11 = FloatVector.broadcast(SPECIES, 0.21f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        FloatVector sum = a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).add(a8.add(a9).add(a10.add(a11)));
        return sum.reduceLanes(VectorOperators.ADD);
    }
}
