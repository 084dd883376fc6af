package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@code y = x · Wᵀ} over {@link Panels}, in the "broadcast" form of fast CPU GEMMs: for each k, one
 * x value is broadcast and multiplied into a row of panel weights, so a register tile of
 * {@code ROWS × Panels.VECTORS} accumulators holds finished outputs and no lane reduction is needed.
 *
 * <p>Every output is {@code fma}-accumulated over k = 0, 1, …, K-1 in order, from zero: the order of
 * the scalar reference (which rounds each product separately). The result of an output depends on
 * nothing else, so it is the same for any tile, block or thread split.
 */
final class PanelMatmul {

    /** Rows of x per register tile: 4 x 4 = 16 accumulators, plus 4 weights and 1 broadcast. */
    private static final int ROWS = 4;

    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    private static final long PANEL_ROW_BYTES = (long) Panels.WIDTH * Float.BYTES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    private PanelMatmul() {}

    static void multiply(Tensor x, Panels w, Tensor y) {
        int k = w.k();
        int n = w.n();
        long m = x.size() / k;
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        MemorySegment ws = w.memory();
        for (int p = 0; p < w.count(); p++) {
            long panel = w.offset(p);
            int col = p * Panels.WIDTH;
            long row = 0;
            for (; row + ROWS <= m; row += ROWS) {
                tile4(xs, row * k * Float.BYTES, k, ws, panel, ys, row, n, col);
            }
            for (; row < m; row++) {
                tile1(xs, row * k * Float.BYTES, k, ws, panel, ys, row, n, col);
            }
        }
    }

    /** Four rows of x times one panel; {@code x0} is the byte offset of the first row. */
    private static void tile4(MemorySegment x, long x0, int k, MemorySegment w, long panel,
                              MemorySegment y, long row, int n, int col) {
        long rowBytes = (long) k * Float.BYTES;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        long wk = panel;
        long xEnd = x0 + rowBytes;
        for (long xk = x0; xk < xEnd; xk += Float.BYTES, wk += PANEL_ROW_BYTES) {
            FloatVector w0 = FloatVector.fromMemorySegment(SPECIES, w, wk, ORDER);
            FloatVector w1 = FloatVector.fromMemorySegment(SPECIES, w, wk + VECTOR_BYTES, ORDER);
            FloatVector w2 = FloatVector.fromMemorySegment(SPECIES, w, wk + 2 * VECTOR_BYTES, ORDER);
            FloatVector w3 = FloatVector.fromMemorySegment(SPECIES, w, wk + 3 * VECTOR_BYTES, ORDER);
            FloatVector b = FloatVector.broadcast(SPECIES, x.get(F, xk));
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            a02 = w2.fma(b, a02);
            a03 = w3.fma(b, a03);
            b = FloatVector.broadcast(SPECIES, x.get(F, xk + rowBytes));
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            a12 = w2.fma(b, a12);
            a13 = w3.fma(b, a13);
            b = FloatVector.broadcast(SPECIES, x.get(F, xk + 2 * rowBytes));
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            a22 = w2.fma(b, a22);
            a23 = w3.fma(b, a23);
            b = FloatVector.broadcast(SPECIES, x.get(F, xk + 3 * rowBytes));
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
            a32 = w2.fma(b, a32);
            a33 = w3.fma(b, a33);
        }
        store(y, row, n, col, a00, a01, a02, a03);
        store(y, row + 1, n, col, a10, a11, a12, a13);
        store(y, row + 2, n, col, a20, a21, a22, a23);
        store(y, row + 3, n, col, a30, a31, a32, a33);
    }

    /** One row of x times one panel, for the rows left over after the four-row tiles. */
    private static void tile1(MemorySegment x, long x0, int k, MemorySegment w, long panel,
                              MemorySegment y, long row, int n, int col) {
        long rowBytes = (long) k * Float.BYTES;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        long wk = panel;
        long xEnd = x0 + rowBytes;
        for (long xk = x0; xk < xEnd; xk += Float.BYTES, wk += PANEL_ROW_BYTES) {
            FloatVector b = FloatVector.broadcast(SPECIES, x.get(F, xk));
            a0 = FloatVector.fromMemorySegment(SPECIES, w, wk, ORDER).fma(b, a0);
            a1 = FloatVector.fromMemorySegment(SPECIES, w, wk + VECTOR_BYTES, ORDER).fma(b, a1);
            a2 = FloatVector.fromMemorySegment(SPECIES, w, wk + 2 * VECTOR_BYTES, ORDER).fma(b, a2);
            a3 = FloatVector.fromMemorySegment(SPECIES, w, wk + 3 * VECTOR_BYTES, ORDER).fma(b, a3);
        }
        store(y, row, n, col, a0, a1, a2, a3);
    }

    /** Writes one row of a panel's outputs, leaving out the padding columns past N. */
    private static void store(MemorySegment y, long row, int n, int col,
                              FloatVector v0, FloatVector v1, FloatVector v2, FloatVector v3) {
        long at = (row * n + col) * Float.BYTES;
        int valid = n - col;
        if (valid >= Panels.WIDTH) {
            v0.intoMemorySegment(y, at, ORDER);
            v1.intoMemorySegment(y, at + VECTOR_BYTES, ORDER);
            v2.intoMemorySegment(y, at + 2 * VECTOR_BYTES, ORDER);
            v3.intoMemorySegment(y, at + 3 * VECTOR_BYTES, ORDER);
        } else {
            storePart(y, at, valid, v0);
            storePart(y, at + VECTOR_BYTES, valid - LANES, v1);
            storePart(y, at + 2 * VECTOR_BYTES, valid - 2 * LANES, v2);
            storePart(y, at + 3 * VECTOR_BYTES, valid - 3 * LANES, v3);
        }
    }

    private static void storePart(MemorySegment y, long at, int valid, FloatVector v) {
        if (valid >= LANES) {
            v.intoMemorySegment(y, at, ORDER);
        } else if (valid > 0) {
            v.intoMemorySegment(y, at, ORDER, VectorMask.fromLong(SPECIES, (1L << valid) - 1));
        }
    }
}
