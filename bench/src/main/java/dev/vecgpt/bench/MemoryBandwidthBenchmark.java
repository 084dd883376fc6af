package dev.vecgpt.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
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
 * Machine baseline: DRAM read bandwidth, as a Vector API sum over a 1 GiB native segment (far larger
 * than any cache), on 1 thread and on all cores (each thread sums a contiguous part). It is the roofline
 * for the memory-bound kernels: gather, add, and matmul at M = 8, which streams the 154 MB W once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 3, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MemoryBandwidthBenchmark {

    /** Bytes read per call; the report divides it by the time. */
    public static final long BYTES = 1L << 30;

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Bytes per loop iteration of {@link #sum}: four vectors. */
    private static final long STEP = 4L * SPECIES.vectorByteSize();

    /** 1, and all cores of this 2-core machine; {@code -p threads=1,N} on a larger one. */
    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private MemorySegment data;
    private ThreadSplit split;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        data = arena.allocate(BYTES, 64);
        data.fill((byte) 0x3f); // every page touched (mapped) before timing; each float is 0.747
        split = new ThreadSplit(threads, "bandwidth");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        split.close();
        arena.close();
    }

    @Benchmark
    public float dramRead() throws InterruptedException, ExecutionException {
        // Parts are multiples of the 4-vector step; the calling thread takes part 0, the last ends at BYTES.
        long part = BYTES / threads / STEP * STEP;
        return split.sum(t -> sum(data, t * part, t == threads - 1 ? BYTES : (t + 1) * part));
    }

    /** Four independent accumulators, so the loop is bound by loads, not by the add latency. */
    static float sum(MemorySegment s, long from, long to) {
        long step = SPECIES.vectorByteSize();
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (long i = from; i < to; i += STEP) {
            a0 = a0.add(FloatVector.fromMemorySegment(SPECIES, s, i, ORDER));
            a1 = a1.add(FloatVector.fromMemorySegment(SPECIES, s, i + step, ORDER));
            a2 = a2.add(FloatVector.fromMemorySegment(SPECIES, s, i + 2 * step, ORDER));
            a3 = a3.add(FloatVector.fromMemorySegment(SPECIES, s, i + 3 * step, ORDER));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
}
