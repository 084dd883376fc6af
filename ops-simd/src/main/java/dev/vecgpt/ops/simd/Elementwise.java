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
 * whole vectors; a decode step's run on the caller's thread and allocate nothing.
 */
final class Elementwise {

    private static final int LANES = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;
    /** Below this many elements (tens of microseconds) a call runs on the caller's thread. */
    private static final long PARALLEL_ELEMENTS = 1L << 16;

    private Elementwise() {}

    static void add(Tensor a, Tensor b, Tensor out, WorkerPool pool) {
        long n = a.size();
        long period = b.size();
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        MemorySegment so = out.segment();
        int parts = n < PARALLEL_ELEMENTS || pool.threads() == 1 || !pool.canShare(sa) || !pool.canShare(sb)
                || !pool.canShare(so) ? 1 : pool.threads();
        if (parts == 1) {
            add(sa, sb, so, period, 0, n);
            return;
        }
        long vectors = (n + LANES - 1) / LANES;
        pool.run(parts, (part, ignored) -> add(sa, sb, so, period,
                Math.min(n, vectors * part / parts * LANES), Math.min(n, vectors * (part + 1) / parts * LANES)));
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
