package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code y = x · Wᵀ} over Q8_0 {@link Panels}: the tiles of {@link PanelMatmul}, with each vector of
 * int8 weights widened to float32 in registers and multiplied by its column's block scale, which
 * gives exactly the reference's dequantized weight {@code q · scale}; then one {@code fma} per k, in
 * order. So the result equals, bit for bit, the float32 kernel on {@link Panels#unpack}'s weights.
 */
final class Q8Matmul {

    /** The 4-row tile needs 25 registers (16 accumulators, 4 scales, 4 weights, 1 broadcast): 1-row tiles below 32. */
    private static final int ROWS = PanelMatmul.ROWS >= 4 ? 4 : 1;
    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    /** As many byte lanes as float lanes (at least 64 bits, the smallest byte vector: a 128-bit float species uses part 0). */
    private static final VectorSpecies<Byte> BYTES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, SPECIES.vectorBitSize() / 4)));
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    private Q8Matmul() {}

    /** Panels {@code [from, to)} of the product. */
    static void multiply(Tensor x, Panels w, Tensor y, int from, int to) {
        int k = w.k();
        int n = w.n();
        long m = x.size() / k;
        MemorySegment xs = x.segment();
        MemorySegment ys = y.segment();
        MemorySegment ws = w.memory();
        long block = w.blockBytes();
        for (int p = from; p < to; p++) {
            long panel = w.offset(p);
            int col = p * Panels.WIDTH;
            long row = 0;
            if (ROWS == 4) {
                for (; row + 4 <= m; row += 4) {
                    tile4(xs, row * k * Float.BYTES, k, ws, panel, block, ys, row, n, col);
                }
            }
            for (; row < m; row++) {
                tile1(xs, row * k * Float.BYTES, k, ws, panel, block, ys, row, n, col);
            }
        }
    }

    /** int8 weights at {@code offset} as float32, times the scales {@code scale}: {@code q · scale} per lane. */
    private static FloatVector dequantize(MemorySegment w, long offset, FloatVector scale) {
        return ((FloatVector) ByteVector.fromMemorySegment(BYTES, w, offset, ORDER)
                .convertShape(VectorOperators.B2F, SPECIES, 0)).mul(scale);
    }

    private static void tile4(MemorySegment x, long x0, int k, MemorySegment w, long panel, long block,
                              MemorySegment y, long row, int n, int col) {
        long rowBytes = (long) k * Float.BYTES;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int b = 0; b < k; b += Panels.BLOCK) {
            long scales = panel + (long) (b / Panels.BLOCK) * block;
            FloatVector s0 = FloatVector.fromMemorySegment(SPECIES, w, scales, ORDER);
            FloatVector s1 = FloatVector.fromMemorySegment(SPECIES, w, scales + VECTOR_BYTES, ORDER);
            FloatVector s2 = FloatVector.fromMemorySegment(SPECIES, w, scales + 2 * VECTOR_BYTES, ORDER);
            FloatVector s3 = FloatVector.fromMemorySegment(SPECIES, w, scales + 3 * VECTOR_BYTES, ORDER);
            long q = scales + 4 * VECTOR_BYTES - (long) b * Panels.WIDTH;
            int end = Math.min(k, b + Panels.BLOCK);
            for (int i = b; i < end; i++) {
                long wk = q + (long) i * Panels.WIDTH;
                long xk = x0 + i * (long) Float.BYTES;
                FloatVector w0 = dequantize(w, wk, s0);
                FloatVector w1 = dequantize(w, wk + LANES, s1);
                FloatVector w2 = dequantize(w, wk + 2 * LANES, s2);
                FloatVector w3 = dequantize(w, wk + 3 * LANES, s3);
                FloatVector v = FloatVector.broadcast(SPECIES, x.get(F, xk));
                a00 = w0.fma(v, a00);
                a01 = w1.fma(v, a01);
                a02 = w2.fma(v, a02);
                a03 = w3.fma(v, a03);
                v = FloatVector.broadcast(SPECIES, x.get(F, xk + rowBytes));
                a10 = w0.fma(v, a10);
                a11 = w1.fma(v, a11);
                a12 = w2.fma(v, a12);
                a13 = w3.fma(v, a13);
                v = FloatVector.broadcast(SPECIES, x.get(F, xk + 2 * rowBytes));
                a20 = w0.fma(v, a20);
                a21 = w1.fma(v, a21);
                a22 = w2.fma(v, a22);
                a23 = w3.fma(v, a23);
                v = FloatVector.broadcast(SPECIES, x.get(F, xk + 3 * rowBytes));
                a30 = w0.fma(v, a30);
                a31 = w1.fma(v, a31);
                a32 = w2.fma(v, a32);
                a33 = w3.fma(v, a33);
            }
        }
        long y0 = (row * n + col) * Float.BYTES;
        long rowBytesY = (long) n * Float.BYTES;
        var m0 = SPECIES.indexInRange(col, n);
        var m1 = SPECIES.indexInRange(col + LANES, n);
        var m2 = SPECIES.indexInRange(col + 2 * LANES, n);
        var m3 = SPECIES.indexInRange(col + 3 * LANES, n);
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

    private static void tile1(MemorySegment x, long x0, int k, MemorySegment w, long panel, long block,
                              MemorySegment y, long row, int n, int col) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < k; b += Panels.BLOCK) {
            long scales = panel + (long) (b / Panels.BLOCK) * block;
            FloatVector s0 = FloatVector.fromMemorySegment(SPECIES, w, scales, ORDER);
            FloatVector s1 = FloatVector.fromMemorySegment(SPECIES, w, scales + VECTOR_BYTES, ORDER);
            FloatVector s2 = FloatVector.fromMemorySegment(SPECIES, w, scales + 2 * VECTOR_BYTES, ORDER);
            FloatVector s3 = FloatVector.fromMemorySegment(SPECIES, w, scales + 3 * VECTOR_BYTES, ORDER);
            long q = scales + 4 * VECTOR_BYTES - (long) b * Panels.WIDTH;
            int end = Math.min(k, b + Panels.BLOCK);
            for (int i = b; i < end; i++) {
                long wk = q + (long) i * Panels.WIDTH;
                FloatVector v = FloatVector.broadcast(SPECIES, x.get(F, x0 + i * (long) Float.BYTES));
                a0 = dequantize(w, wk, s0).fma(v, a0);
                a1 = dequantize(w, wk + LANES, s1).fma(v, a1);
                a2 = dequantize(w, wk + 2 * LANES, s2).fma(v, a2);
                a3 = dequantize(w, wk + 3 * LANES, s3).fma(v, a3);
            }
        }
        long y0 = (row * n + col) * Float.BYTES;
        a0.intoMemorySegment(y, y0, ORDER, SPECIES.indexInRange(col, n));
        a1.intoMemorySegment(y, y0 + VECTOR_BYTES, ORDER, SPECIES.indexInRange(col + LANES, n));
        a2.intoMemorySegment(y, y0 + 2 * VECTOR_BYTES, ORDER, SPECIES.indexInRange(col + 2 * LANES, n));
        a3.intoMemorySegment(y, y0 + 3 * VECTOR_BYTES, ORDER, SPECIES.indexInRange(col + 3 * LANES, n));
    }
}
