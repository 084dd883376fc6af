package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

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

    /**
     * Rows of x per register tile, from the machine's register count ({@link MachineShape}): 4
     * (4 x 4 = 16 accumulators, plus 4 weights and 1 broadcast) with 32 registers, 2 with 16.
     */
    static final int ROWS = MachineShape.CURRENT.tileRows();

    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    /** Shorts and ints with as many lanes as {@code SPECIES}, to widen bfloat16 weights. */
    private static final VectorSpecies<Short> SHORTS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(SPECIES.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, SPECIES.vectorShape());
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    private PanelMatmul() {}

    /** Each calling thread's reusable call: a split call allocates nothing. */
    private static final ThreadLocal<PanelCall<Panels>> CALLS =
            ThreadLocal.withInitial(() -> new PanelCall<>(PanelMatmul::multiply));

    static void multiply(Tensor x, Panels w, Tensor y, WorkerPool pool) {
        CALLS.get().run(x, w, w.memory(), y, w.n(), w.count(), pool);
    }

    /**
     * The split policy ({@link WorkerPool#parts}, {@link WorkerPool.Work#MATMUL}) for {@code work}
     * multiply-adds over {@code panels} panels of two at least, for kernels that hand out panels
     * themselves.
     */
    static int parts(long work, int panels, WorkerPool pool, MemorySegment x, MemorySegment w, MemorySegment y) {
        return pool.parts(WorkerPool.Work.MATMUL, work, panels / 2, x, w, y, null);
    }

    /** Where part {@code part} of {@code parts} begins: panels in even shares, in order. */
    static int split(int panels, int part, int parts) {
        return (int) ((long) panels * part / parts);
    }

    /** Panels {@code [from, to)} of the product. */
    private static void multiply(Tensor x, Panels w, Tensor y, int from, int to) {
        if (w.q8()) {
            Q8Matmul.multiply(x, w, y, from, to);
            return;
        }
        int k = w.k();
        int n = w.n();
        long m = x.size() / k;
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        MemorySegment ws = w.memory();
        if (m < ROWS && !w.bf16()) {
            // Decode shapes: two panels at once, i.e. two independent streams from DRAM in flight. Not
            // for bfloat16: eight widening loads in one loop body are past what C2 inlines, and a
            // vector passed to a method that is not inlined is boxed (measured: 450 KB a call).
            int p = from;
            for (; p + 1 < to; p += 2) {
                for (long row = 0; row < m; row++) {
                    tile1x2(xs, row * k * Float.BYTES, k, ws, w.offset(p), w.offset(p + 1), w.rowBytes(),
                            w.vectorBytes(), w.bf16(), ys, row, n, p * Panels.WIDTH);
                }
            }
            for (; p < to; p++) {
                for (long row = 0; row < m; row++) {
                    tile1(xs, row * k * Float.BYTES, k, ws, w.offset(p), w.rowBytes(), w.vectorBytes(), w.bf16(),
                            ys, row, n, p * Panels.WIDTH);
                }
            }
            return;
        }
        for (int p = from; p < to; p++) {
            panel(xs, m, k, ws, w.offset(p), w.rowBytes(), w.vectorBytes(), w.bf16(), ys, n, p * Panels.WIDTH);
        }
    }

    /**
     * Fewer rows than this take the two-row tile even where the four-row one fits: at these sizes the
     * weights' stream, not the FMAs, sets the pace, and C2 compiles the four-row tile in about a
     * second (it spills while allocating 21 vector registers) against about a third of that for two rows.
     * So a fresh process's short prompt runs compiled code at once instead of waiting on that compile.
     */
    static final int TILE4_MIN_ROWS = 16;

    /** All rows of x times the panel at byte {@code panel} of {@code ws}, giving columns {@code col} to {@code col + WIDTH}. */
    static void panel(MemorySegment xs, long m, int k, MemorySegment ws, long panel, long wRow, long wVec, boolean bf16,
                      MemorySegment ys, int n, int col) {
        long row = 0;
        if (ROWS == 4 && m >= TILE4_MIN_ROWS) { // ROWS is a constant: C2 keeps what it needs
            for (; row + 4 <= m; row += 4) {
                tile4(xs, row * k * Float.BYTES, k, ws, panel, wRow, wVec, bf16, ys, row, n, col);
            }
        }
        if (ROWS >= 2) {
            for (; row + 2 <= m; row += 2) {
                tile2(xs, row * k * Float.BYTES, k, ws, panel, wRow, wVec, bf16, ys, row, n, col);
            }
        }
        for (; row < m; row++) {
            tile1(xs, row * k * Float.BYTES, k, ws, panel, wRow, wVec, bf16, ys, row, n, col);
        }
    }

    /** Four rows of x times one panel; {@code x0} is the byte offset of the first row. */
    private static void tile4(MemorySegment x, long x0, int k, MemorySegment w, long panel, long wRow, long wVec,
                              boolean bf16, MemorySegment y, long row, int n, int col) {
        long rowBytes = (long) k * Float.BYTES;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        // An int counter with offsets derived from it: C2 compiles this form to ~90 % of FMA peak,
        // a loop over two long offsets to a quarter of that.
        for (int i = 0; i < k; i++) {
            long wk = panel + i * wRow;
            long xk = x0 + i * (long) Float.BYTES;
            FloatVector w0 = load(w, wk, bf16);
            FloatVector w1 = load(w, wk + wVec, bf16);
            FloatVector w2 = load(w, wk + 2 * wVec, bf16);
            FloatVector w3 = load(w, wk + 3 * wVec, bf16);
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
        // Stored here, not in a helper: a vector passed to a method C2 does not inline is boxed.
        VectorMask<Float> m0 = SPECIES.indexInRange(col, n);
        VectorMask<Float> m1 = SPECIES.indexInRange(col + LANES, n);
        VectorMask<Float> m2 = SPECIES.indexInRange(col + 2 * LANES, n);
        VectorMask<Float> m3 = SPECIES.indexInRange(col + 3 * LANES, n);
        long y0 = (row * n + col) * Float.BYTES;
        long rowBytesY = (long) n * Float.BYTES;
        a00.intoMemorySegment(y, y0, ORDER, m0);
        a01.intoMemorySegment(y, y0 + VECTOR_BYTES, ORDER, m1);
        a02.intoMemorySegment(y, y0 + 2 * VECTOR_BYTES, ORDER, m2);
        a03.intoMemorySegment(y, y0 + 3 * VECTOR_BYTES, ORDER, m3);
        long y1 = y0 + rowBytesY;
        a10.intoMemorySegment(y, y1, ORDER, m0);
        a11.intoMemorySegment(y, y1 + VECTOR_BYTES, ORDER, m1);
        a12.intoMemorySegment(y, y1 + 2 * VECTOR_BYTES, ORDER, m2);
        a13.intoMemorySegment(y, y1 + 3 * VECTOR_BYTES, ORDER, m3);
        long y2 = y1 + rowBytesY;
        a20.intoMemorySegment(y, y2, ORDER, m0);
        a21.intoMemorySegment(y, y2 + VECTOR_BYTES, ORDER, m1);
        a22.intoMemorySegment(y, y2 + 2 * VECTOR_BYTES, ORDER, m2);
        a23.intoMemorySegment(y, y2 + 3 * VECTOR_BYTES, ORDER, m3);
        long y3 = y2 + rowBytesY;
        a30.intoMemorySegment(y, y3, ORDER, m0);
        a31.intoMemorySegment(y, y3 + VECTOR_BYTES, ORDER, m1);
        a32.intoMemorySegment(y, y3 + 2 * VECTOR_BYTES, ORDER, m2);
        a33.intoMemorySegment(y, y3 + 3 * VECTOR_BYTES, ORDER, m3);
    }

    /** Two rows of x times one panel: the tile for 16-register machines (8 accumulators, 4 weights, 1 broadcast). */
    private static void tile2(MemorySegment x, long x0, int k, MemorySegment w, long panel, long wRow, long wVec,
                              boolean bf16, MemorySegment y, long row, int n, int col) {
        long rowBytes = (long) k * Float.BYTES;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int i = 0; i < k; i++) {
            long wk = panel + i * wRow;
            long xk = x0 + i * (long) Float.BYTES;
            FloatVector w0 = load(w, wk, bf16);
            FloatVector w1 = load(w, wk + wVec, bf16);
            FloatVector w2 = load(w, wk + 2 * wVec, bf16);
            FloatVector w3 = load(w, wk + 3 * wVec, bf16);
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
        }
        VectorMask<Float> m0 = SPECIES.indexInRange(col, n);
        VectorMask<Float> m1 = SPECIES.indexInRange(col + LANES, n);
        VectorMask<Float> m2 = SPECIES.indexInRange(col + 2 * LANES, n);
        VectorMask<Float> m3 = SPECIES.indexInRange(col + 3 * LANES, n);
        long y0 = (row * n + col) * Float.BYTES;
        a00.intoMemorySegment(y, y0, ORDER, m0);
        a01.intoMemorySegment(y, y0 + VECTOR_BYTES, ORDER, m1);
        a02.intoMemorySegment(y, y0 + 2 * VECTOR_BYTES, ORDER, m2);
        a03.intoMemorySegment(y, y0 + 3 * VECTOR_BYTES, ORDER, m3);
        long y1 = y0 + (long) n * Float.BYTES;
        a10.intoMemorySegment(y, y1, ORDER, m0);
        a11.intoMemorySegment(y, y1 + VECTOR_BYTES, ORDER, m1);
        a12.intoMemorySegment(y, y1 + 2 * VECTOR_BYTES, ORDER, m2);
        a13.intoMemorySegment(y, y1 + 3 * VECTOR_BYTES, ORDER, m3);
    }

    /** One row of x times one panel, for the rows left over after the multi-row tiles. */
    private static void tile1(MemorySegment x, long x0, int k, MemorySegment w, long panel, long wRow, long wVec,
                              boolean bf16, MemorySegment y, long row, int n, int col) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < k; i++) {
            long wk = panel + i * wRow;
            long xk = x0 + i * (long) Float.BYTES;
            FloatVector b = FloatVector.broadcast(SPECIES, x.get(F, xk));
            a0 = load(w, wk, bf16).fma(b, a0);
            a1 = load(w, wk + wVec, bf16).fma(b, a1);
            a2 = load(w, wk + 2 * wVec, bf16).fma(b, a2);
            a3 = load(w, wk + 3 * wVec, bf16).fma(b, a3);
        }
        long y0 = (row * n + col) * Float.BYTES;
        a0.intoMemorySegment(y, y0, ORDER, SPECIES.indexInRange(col, n));
        a1.intoMemorySegment(y, y0 + VECTOR_BYTES, ORDER, SPECIES.indexInRange(col + LANES, n));
        a2.intoMemorySegment(y, y0 + 2 * VECTOR_BYTES, ORDER, SPECIES.indexInRange(col + 2 * LANES, n));
        a3.intoMemorySegment(y, y0 + 3 * VECTOR_BYTES, ORDER, SPECIES.indexInRange(col + 3 * LANES, n));
    }

    /**
     * One row of x times two adjacent panels (columns {@code col} to {@code col + 2·WIDTH}): the
     * same sums as two {@link #tile1} calls, with eight independent accumulators and two streams.
     */
    private static void tile1x2(MemorySegment x, long x0, int k, MemorySegment w, long panelA, long panelB,
                                long wRow, long wVec, boolean bf16, MemorySegment y, long row, int n, int col) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int i = 0; i < k; i++) {
            long wa = panelA + i * wRow;
            long wb = panelB + i * wRow;
            FloatVector v = FloatVector.broadcast(SPECIES, x.get(F, x0 + i * (long) Float.BYTES));
            a0 = load(w, wa, bf16).fma(v, a0);
            b0 = load(w, wb, bf16).fma(v, b0);
            a1 = load(w, wa + wVec, bf16).fma(v, a1);
            b1 = load(w, wb + wVec, bf16).fma(v, b1);
            a2 = load(w, wa + 2 * wVec, bf16).fma(v, a2);
            b2 = load(w, wb + 2 * wVec, bf16).fma(v, b2);
            a3 = load(w, wa + 3 * wVec, bf16).fma(v, a3);
            b3 = load(w, wb + 3 * wVec, bf16).fma(v, b3);
        }
        long y0 = (row * n + col) * Float.BYTES;
        a0.intoMemorySegment(y, y0, ORDER, SPECIES.indexInRange(col, n));
        a1.intoMemorySegment(y, y0 + VECTOR_BYTES, ORDER, SPECIES.indexInRange(col + LANES, n));
        a2.intoMemorySegment(y, y0 + 2 * VECTOR_BYTES, ORDER, SPECIES.indexInRange(col + 2 * LANES, n));
        a3.intoMemorySegment(y, y0 + 3 * VECTOR_BYTES, ORDER, SPECIES.indexInRange(col + 3 * LANES, n));
        int colB = col + Panels.WIDTH;
        long yB = y0 + 4 * VECTOR_BYTES;
        b0.intoMemorySegment(y, yB, ORDER, SPECIES.indexInRange(colB, n));
        b1.intoMemorySegment(y, yB + VECTOR_BYTES, ORDER, SPECIES.indexInRange(colB + LANES, n));
        b2.intoMemorySegment(y, yB + 2 * VECTOR_BYTES, ORDER, SPECIES.indexInRange(colB + 2 * LANES, n));
        b3.intoMemorySegment(y, yB + 3 * VECTOR_BYTES, ORDER, SPECIES.indexInRange(colB + 3 * LANES, n));
    }

    /**
     * One vector of weights as float32. A bfloat16 is the top half of a float32, so widening is a
     * zero-extension to int lanes and a shift by 16, all in registers. {@code bf16} is the same for
     * a whole loop, which C2 unswitches into one loop per format.
     */
    private static FloatVector load(MemorySegment w, long offset, boolean bf16) {
        if (bf16) {
            ShortVector halves = ShortVector.fromMemorySegment(SHORTS, w, offset, ORDER);
            return ((IntVector) halves.convertShape(VectorOperators.ZERO_EXTEND_S2I, INTS, 0))
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
        }
        return FloatVector.fromMemorySegment(SPECIES, w, offset, ORDER);
    }
}
