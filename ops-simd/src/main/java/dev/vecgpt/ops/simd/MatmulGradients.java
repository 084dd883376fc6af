package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The two gradients of {@code y = x · Wᵀ}, run on the forward matmul's register tiles
 * ({@link PanelMatmul#panel}) over transposed operands, so they get its speed and its summation order.
 *
 * <p>The tiles read a weight as panels: {@link Panels#WIDTH} consecutive columns, one row of them per k.
 * A row-major matrix {@code B [R, C]} holds the panels of {@code Bᵀ} already: panel p is B's columns
 * {@code [p·WIDTH, (p+1)·WIDTH)}, its k-th row a piece of B's row k. Each is copied, a row piece at a
 * time, into contiguous scratch before use (zero-padded past C), so the tiles stream it as they stream a
 * packed weight.
 * <ul>
 * <li>{@code dx = dy · W} is {@code dy · (Wᵀ)ᵀ}: the tiles over dy's rows and W as Wᵀ's panels.</li>
 * <li>{@code dW += dyᵀ · x}: the tiles over the rows of dyᵀ (transposed, a block of 128 of them at a time,
 * into scratch) and x as xᵀ's panels; each block's product is then added to dW.</li>
 * </ul>
 * Every output is one tile's fma chain over k in order, so no split changes a bit.
 */
final class MatmulGradients {

    private static final int WIDTH = Panels.WIDTH;
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    /**
     * Rows of dW per block: a block's dyᵀ (128 × M) and product (128 × K) stay in the core's caches, and
     * each panel of x copied for a block serves 128 rows of it.
     */
    private static final int BLOCK_ROWS = 128;
    private static final int PARTS_PER_THREAD = 4;

    private MatmulGradients() {}

    /** {@code dx [M, K] = dy [M, N] · w [N, K]}: split over dx's column panels, as the forward matmul. */
    static void input(Tensor dy, Tensor w, Tensor dx, WorkerPool pool) {
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        long m = dy.size() / n;
        int panels = (k + WIDTH - 1) / WIDTH;
        int parts = PanelMatmul.parts(m * n * k, panels, pool, dy.segment(), w.segment(),
                dx.segment());
        if (parts == 1) {
            inputPanels(dy, w, dx, 0, panels);
            return;
        }
        pool.run(parts, (part, all) -> inputPanels(dy, w, dx, PanelMatmul.split(panels, part, all),
                PanelMatmul.split(panels, part + 1, all)));
    }

    private static void inputPanels(Tensor dy, Tensor w, Tensor dx, int from, int to) {
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        long m = dy.size() / n;
        if (n > LONG_SUM && k % WIDTH == 0) {
            inputPanelsBlocked(dy, w, dx, from, to);
            return;
        }
        MemorySegment panel = Scratch.get((long) n * WIDTH * Float.BYTES);
        for (int p = from; p < to; p++) {
            int col = p * WIDTH;
            PanelMatmul.panel(dy.segment(), m, n, copyPanel(w.segment(), n, k, col, panel), 0,
                    (long) WIDTH * Float.BYTES, VECTOR_BYTES, false, dx.segment(), k, col);
        }
    }

    /**
     * Sums over more than this many n (the output head's 50257) run in blocks of {@code SUM_BLOCK}: a panel
     * of W over all n (12.8 MB for the head) would be streamed from memory once per tile of rows, a block's
     * (256 KB) stays in the core's cache.
     */
    private static final int LONG_SUM = 4096;
    private static final int SUM_BLOCK = 1024;

    /**
     * {@link #inputPanels} with the sum over n cut into blocks: each block's product (columns of dy copied
     * into scratch, then the tiles) is added to dx in block order, so the sum is the same on any split.
     */
    private static void inputPanelsBlocked(Tensor dy, Tensor w, Tensor dx, int from, int to) {
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        int m = Math.toIntExact(dy.size() / n);
        long blockBytes = (long) m * SUM_BLOCK * Float.BYTES;
        long partBytes = (long) m * k * Float.BYTES;
        MemorySegment scratch = Scratch.get(blockBytes + partBytes);
        MemorySegment block = scratch.asSlice(0, blockBytes);
        MemorySegment part = scratch.asSlice(blockBytes, partBytes);
        MemorySegment dys = dy.segment();
        MemorySegment dxs = dx.segment();
        for (int first = 0; first < n; first += SUM_BLOCK) {
            int size = Math.min(SUM_BLOCK, n - first);
            for (int row = 0; row < m; row++) {
                MemorySegment.copy(dys, ((long) row * n + first) * Float.BYTES, block, (long) row * size * Float.BYTES,
                        (long) size * Float.BYTES);
            }
            for (int p = from; p < to; p++) {
                int col = p * WIDTH;
                PanelMatmul.panel(block, m, size, w.segment(), ((long) first * k + col) * Float.BYTES,
                        (long) k * Float.BYTES, VECTOR_BYTES, false, first == 0 ? dxs : part, k, col);
                if (first > 0) {
                    for (int row = 0; row < m; row++) {
                        long at = (long) row * k + col;
                        Gradients.addRow(part, at * Float.BYTES, dxs, at * Float.BYTES, (long) WIDTH * Float.BYTES);
                    }
                }
            }
        }
    }

    /** {@code dw [N, K] += dyᵀ · x} for {@code dy [M, N]}, {@code x [M, K]}: split over blocks of dW's rows. */
    static void weight(Tensor dy, Tensor x, Tensor dw, WorkerPool pool) {
        int n = dw.shape().dim(0);
        int k = dw.shape().dim(1);
        long m = dy.size() / n;
        int blocks = (n + BLOCK_ROWS - 1) / BLOCK_ROWS;
        int parts = m * n * k < (1L << 17) || pool.threads() == 1 || blocks < 2
                || !(pool.canShare(dy.segment()) && pool.canShare(x.segment()) && pool.canShare(dw.segment()))
                ? 1 : Math.min(pool.threads() * PARTS_PER_THREAD, blocks);
        if (parts == 1) {
            weightBlocks(dy, x, dw, 0, blocks);
            return;
        }
        pool.run(parts, (part, all) -> weightBlocks(dy, x, dw, PanelMatmul.split(blocks, part, all),
                PanelMatmul.split(blocks, part + 1, all)));
    }

    private static void weightBlocks(Tensor dy, Tensor x, Tensor dw, int from, int to) {
        int n = dw.shape().dim(0);
        int k = dw.shape().dim(1);
        int m = Math.toIntExact(dy.size() / n);
        long dyTBytes = (long) BLOCK_ROWS * m * Float.BYTES;
        long productBytes = (long) BLOCK_ROWS * k * Float.BYTES;
        long panelBytes = (long) m * WIDTH * Float.BYTES;
        MemorySegment scratch = Scratch.get(dyTBytes + productBytes + panelBytes);
        MemorySegment dyT = scratch.asSlice(0, dyTBytes);
        MemorySegment product = scratch.asSlice(dyTBytes, productBytes);
        MemorySegment panel = scratch.asSlice(dyTBytes + productBytes, panelBytes);
        MemorySegment dys = dy.segment();
        for (int b = from; b < to; b++) {
            int first = b * BLOCK_ROWS;
            int rows = Math.min(BLOCK_ROWS, n - first);
            for (int row = 0; row < m; row++) { // dyᵀ's rows [first, first + rows), read along dy's rows
                long src = ((long) row * n + first) * Float.BYTES;
                for (int r = 0; r < rows; r++) {
                    dyT.setAtIndex(Tensor.FLOAT, (long) r * m + row, dys.get(Tensor.FLOAT, src + (long) r * Float.BYTES));
                }
            }
            for (int col = 0; col < k; col += WIDTH) {
                PanelMatmul.panel(dyT, rows, m, copyPanel(x.segment(), m, k, col, panel), 0,
                        (long) WIDTH * Float.BYTES, VECTOR_BYTES, false, product, k, col);
            }
            Gradients.addRow(product, 0, dw.segment(), (long) first * k * Float.BYTES, (long) rows * k * Float.BYTES);
        }
    }

    /**
     * Columns {@code [col, col + WIDTH)} of {@code b [r, c]} (zero past column c) into {@code into}, rows
     * {@code WIDTH} wide and contiguous: Bᵀ's panel as the tiles read it. Read in place, a panel's rows
     * are a row of B apart (up to 12 KB), a page per row; copied, a tile's loads stream through a few
     * pages. The copy is one read of the panel per use, 1/64 of the multiply-adds on it or less.
     */
    private static MemorySegment copyPanel(MemorySegment b, int r, int c, int col, MemorySegment into) {
        int cols = Math.min(WIDTH, c - col);
        if (cols < WIDTH) {
            into.asSlice(0, (long) r * WIDTH * Float.BYTES).fill((byte) 0);
        }
        for (int row = 0; row < r; row++) {
            MemorySegment.copy(b, ((long) row * c + col) * Float.BYTES, into, (long) row * WIDTH * Float.BYTES,
                    (long) cols * Float.BYTES);
        }
        return into;
    }
}
