package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * A matmul call split over the column panels of its weight {@code W}, two panels at least per part
 * (two panel streams at M < 4). Each output column belongs to one panel, so to one part, and its sum
 * does not depend on the split.
 */
final class PanelCall<W> extends WorkerPool.Call {

    /** Panels {@code [from, to)} of {@code y = x · Wᵀ}. */
    interface Kernel<W> {
        void multiply(Tensor x, W w, Tensor y, int from, int to);
    }

    private final Kernel<W> kernel;
    private Tensor x;
    private W w;
    private Tensor y;
    private int panels;

    PanelCall(Kernel<W> kernel) {
        this.kernel = kernel;
    }

    /** All {@code panels} panels of {@code y = x · Wᵀ}, {@code w} in memory {@code ws}. */
    void run(Tensor x, W w, MemorySegment ws, Tensor y, int n, int panels, WorkerPool pool) {
        this.x = x;
        this.w = w;
        this.y = y;
        this.panels = panels;
        split(pool, WorkerPool.Work.MATMUL, x.size() * n, (panels + 1) / 2, x.segment(), ws, y.segment(), null);
    }

    /** Pairs of panels {@code [from, to)}. */
    @Override
    void run(long from, long to) {
        kernel.multiply(x, w, y, (int) (2 * from), (int) Math.min(panels, 2 * to));
    }

    @Override
    void clear() {
        x = null;
        w = null;
        y = null;
    }
}
