package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * {@code out = a + b}, with b repeated along a (a bias per row, or a tensor as large as a): one add per
 * element, so any split gives the same bits. A prompt's adds are split over the threads in runs of
 * whole vectors ({@link WorkerPool.Work#ELEMENTS}); a decode step's run on the caller's thread.
 */
final class Elementwise {

    private static final int LANES = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;
    private static final ThreadLocal<Add> CALLS = ThreadLocal.withInitial(Add::new);

    private Elementwise() {}

    static void add(Tensor a, Tensor b, Tensor out, WorkerPool pool) {
        Add call = CALLS.get();
        call.period = b.size();
        call.run(a.segment(), b.segment(), out.segment(), a.size(), pool);
    }

    /**
     * An element-wise call over {@code n} elements of one or two inputs, split in runs of whole
     * vectors, so that only the last part has a partial one.
     */
    abstract static class VectorRuns extends WorkerPool.Call {
        MemorySegment a;
        MemorySegment b;
        MemorySegment out;
        private long n;

        /** Runs the call on {@code a} (and {@code b}, or null) into {@code out}; its other fields are set. */
        final void run(MemorySegment a, MemorySegment b, MemorySegment out, long n, WorkerPool pool) {
            this.a = a;
            this.b = b;
            this.out = out;
            this.n = n;
            split(pool, WorkerPool.Work.ELEMENTS, n, (n + LANES - 1) / LANES, a, b, out, null);
        }

        /** Elements {@code [from, to)}. */
        abstract void elements(long from, long to);

        @Override
        final void run(long from, long to) {
            elements(Math.min(n, from * LANES), Math.min(n, to * LANES));
        }

        @Override
        final void clear() {
            a = b = out = null;
        }
    }

    private static final class Add extends VectorRuns {
        private long period;

        @Override
        void elements(long from, long to) {
            add(a, b, out, period, from, to);
        }
    }

    /** Elements {@code [from, to)} of out, a piece of b's period at a time. */
    private static void add(MemorySegment a, MemorySegment b, MemorySegment out, long period, long from, long to) {
        for (long i = from; i < to; ) {
            long offset = i % period; // where in b element i falls
            long end = Math.min(to, i - offset + period);
            long bytesToB = (offset - i) * Float.BYTES;
            long k = i * Float.BYTES;
            long endBytes = end * Float.BYTES;
            for (; k + (long) LANES * Float.BYTES <= endBytes; k += (long) LANES * Float.BYTES) {
                FloatVector.fromMemorySegment(SPECIES, a, k, ORDER)
                        .add(FloatVector.fromMemorySegment(SPECIES, b, k + bytesToB, ORDER))
                        .intoMemorySegment(out, k, ORDER);
            }
            for (; k < endBytes; k += Float.BYTES) {
                out.set(F, k, a.get(F, k) + b.get(F, k + bytesToB));
            }
            i = end;
        }
    }
}
