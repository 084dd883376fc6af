package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Tensor;

/**
 * A matmul call split over the column panels of its weight {@code W}. The arguments sit in the fields
 * of an object each calling thread reuses, so handing parts to the pool allocates nothing. Each output
 * column belongs to one panel, so to one part, and its sum does not depend on the split.
 */
final class PanelCall<W> implements WorkerPool.Job {

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

    /** Runs all {@code panels} panels in {@code parts} parts on {@code pool}, on the caller alone when {@code parts} is 1. */
    void run(Tensor x, W w, Tensor y, int panels, int parts, WorkerPool pool) {
        if (parts == 1) {
            kernel.multiply(x, w, y, 0, panels);
            return;
        }
        this.x = x;
        this.w = w;
        this.y = y;
        this.panels = panels;
        try {
            pool.run(parts, this);
        } finally {
            this.x = null;
            this.w = null;
            this.y = null;
        }
    }

    @Override
    public void run(int part, int parts) {
        kernel.multiply(x, w, y, PanelMatmul.split(panels, part, parts), PanelMatmul.split(panels, part + 1, parts));
    }
}
