package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code transposeInto}: the rows of {@code x [B, T, D]} as columns of {@code xT [B, D, S]}, taken 16
 * rows at a time. Each row of xT then receives 16 consecutive floats (a cache line) while 16 rows of x
 * are read along; the reference's order, a row of x at a time, writes one float into each of D lines.
 * A prompt's keys are split over the threads by rows of xT. A copy: the same bits in any order.
 */
final class Transpose {

    private static final ValueLayout.OfFloat F = Tensor.FLOAT;
    /** Rows of x per block: 16 floats, one 64-byte line of xT. */
    private static final int BLOCK = 16;
    private static final ThreadLocal<Into> CALLS = ThreadLocal.withInitial(Into::new);

    private Transpose() {}

    static void into(Tensor x, Tensor xT, int at, WorkerPool pool) {
        CALLS.get().run(x, xT, at, pool);
    }

    /** A transposition split by rows of xT. */
    private static final class Into extends WorkerPool.Call {
        private MemorySegment x;
        private MemorySegment xT;
        private int batch;
        private int rows;
        private int dim;
        private long columns;
        private int at;

        void run(Tensor x, Tensor xT, int at, WorkerPool pool) {
            this.x = x.segment();
            this.xT = xT.segment();
            this.batch = x.shape().dim(0);
            this.rows = x.shape().dim(1);
            this.dim = x.shape().dim(2);
            this.columns = xT.shape().dim(2);
            this.at = at;
            split(pool, WorkerPool.Work.ELEMENTS, x.size(), dim, this.x, this.xT, null, null);
        }

        @Override
        void run(long from, long to) {
            rows(x, xT, batch, rows, dim, columns, at, (int) from, (int) to);
        }

        @Override
        void clear() {
            x = xT = null;
        }
    }

    /** Rows {@code [from, to)} of each batch's xT, columns {@code [at, at + rows)}. */
    private static void rows(MemorySegment x, MemorySegment xT, int batch, int rows, int dim, long columns, int at,
                             int from, int to) {
        long xRowBytes = (long) dim * Float.BYTES;
        for (int b = 0; b < batch; b++) {
            long xBatch = (long) b * rows * xRowBytes;
            long tBatch = (long) b * dim * columns * Float.BYTES;
            for (int t0 = 0; t0 < rows; t0 += BLOCK) {
                int count = Math.min(BLOCK, rows - t0);
                for (int i = from; i < to; i++) {
                    long src = xBatch + t0 * xRowBytes + (long) i * Float.BYTES;
                    long dst = tBatch + ((long) i * columns + at + t0) * Float.BYTES;
                    for (int t = 0; t < count; t++) {
                        xT.set(F, dst + (long) t * Float.BYTES, x.get(F, src + t * xRowBytes));
                    }
                }
            }
        }
    }
}
