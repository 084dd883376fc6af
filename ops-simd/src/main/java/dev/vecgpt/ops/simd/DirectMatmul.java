package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * {@code y = x · wᵀ} for a weight that was not packed: each thread copies one panel of W at a time
 * into a scratch panel of its own, then runs {@link PanelMatmul}'s tiles on it. The sums are those
 * of the packed kernel, bit for bit, and a call allocates no native memory: the scratch panel
 * (K × {@link Panels#WIDTH} floats, 196 KB at K = 768) is the thread's {@link Scratch}. Packing W
 * once ({@code pack}) saves the copy and is the fast way.
 */
final class DirectMatmul {

    private DirectMatmul() {}

    private static final ThreadLocal<PanelCall<Tensor>> CALLS =
            ThreadLocal.withInitial(() -> new PanelCall<>(DirectMatmul::multiply));

    private static int panels(Tensor w) {
        return (w.shape().dim(0) + Panels.WIDTH - 1) / Panels.WIDTH;
    }

    static void multiply(Tensor x, Tensor w, Tensor y, WorkerPool pool) {
        CALLS.get().run(x, w, w.segment(), y, w.shape().dim(0), panels(w), pool);
    }

    private static void multiply(Tensor x, Tensor w, Tensor y, int from, int to) {
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        long panelBytes = (long) k * Panels.WIDTH * Float.BYTES;
        MemorySegment scratch = Scratch.get(panelBytes);
        MemorySegment ws = w.segment();
        long m = x.size() / k;
        for (int p = from; p < to; p++) {
            int col = p * Panels.WIDTH;
            int cols = Math.min(Panels.WIDTH, n - col);
            if (cols < Panels.WIDTH) {
                scratch.asSlice(0, panelBytes).fill((byte) 0); // zero columns past N, as in a packed panel
            }
            for (int j = 0; j < cols; j++) {
                long src = (long) (col + j) * k;
                for (int i = 0; i < k; i++) {
                    scratch.setAtIndex(Tensor.FLOAT, (long) i * Panels.WIDTH + j, ws.getAtIndex(Tensor.FLOAT, src + i));
                }
            }
            PanelMatmul.panel(x.segment(), m, k, scratch, 0, Panels.WIDTH * Float.BYTES,
                    SimdKernels.SPECIES.vectorByteSize(), false, y.segment(), n, col);
        }
    }
}
