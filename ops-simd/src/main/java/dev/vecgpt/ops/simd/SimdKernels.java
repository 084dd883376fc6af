package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels of {@link dev.vecgpt.core.ScalarKernels} with the Vector API on native segments.
 * Arguments are validated by {@link dev.vecgpt.core.CheckedKernels} before they get here; every
 * access is still bounds-checked by the FFM API, so a bad call cannot touch memory it does not own.
 */
public final class SimdKernels implements Kernels {

    /**
     * The preferred species, or {@code -Dvecgpt.vectorBits=128|256|512} to measure another width.
     * A static final field, so C2 sees a constant species and intrinsifies every operation.
     */
    static final VectorSpecies<Float> SPECIES = chooseSpecies();

    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    /** Shuffles of a fixed pairwise tree, see {@link #sumLanes}. */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private static VectorSpecies<Float> chooseSpecies() {
        String bits = System.getProperty("vecgpt.vectorBits");
        if (bits == null) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return switch (bits.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("-Dvecgpt.vectorBits=" + bits + ": use 128, 256 or 512");
        };
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(LANES);
        VectorShuffle<Float>[] folds = new VectorShuffle[steps];
        for (int s = 0; s < steps; s++) {
            int half = LANES >> (s + 1);
            folds[s] = VectorShuffle.fromOp(SPECIES, i -> i ^ half);
        }
        return folds;
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public void gather(Tensor table, int[] ids, Tensor out) {
        long rowBytes = (long) table.shape().dim(-1) * Float.BYTES;
        long vectorEnd = rowBytes - rowBytes % VECTOR_BYTES;
        MemorySegment src = table.segment();
        MemorySegment dst = out.segment();
        for (int i = 0; i < ids.length; i++) {
            long from = ids[i] * rowBytes;
            long to = i * rowBytes;
            long b = 0;
            for (; b < vectorEnd; b += VECTOR_BYTES) {
                FloatVector.fromMemorySegment(SPECIES, src, from + b, ORDER).intoMemorySegment(dst, to + b, ORDER);
            }
            for (; b < rowBytes; b += Float.BYTES) {
                dst.set(F, to + b, src.get(F, from + b));
            }
        }
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        long periodBytes = b.size() * Float.BYTES;
        long totalBytes = a.size() * Float.BYTES;
        long vectorEnd = periodBytes - periodBytes % VECTOR_BYTES;
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        MemorySegment so = out.segment();
        for (long base = 0; base < totalBytes; base += periodBytes) {
            long j = 0;
            for (; j < vectorEnd; j += VECTOR_BYTES) {
                FloatVector va = FloatVector.fromMemorySegment(SPECIES, sa, base + j, ORDER);
                FloatVector vb = FloatVector.fromMemorySegment(SPECIES, sb, j, ORDER);
                va.add(vb).intoMemorySegment(so, base + j, ORDER);
            }
            for (; j < periodBytes; j += Float.BYTES) {
                so.set(F, base + j, sa.get(F, base + j) + sb.get(F, j));
            }
        }
    }

    /**
     * Dot-product form: each block of four rows of W is read from memory once and applied to every
     * row of X while it sits in L1. Each output is one lane-parallel sum over K, folded in a fixed
     * order, plus the scalar tail, so results do not depend on the JIT tier or the thread.
     */
    @Override
    public void matmul(Tensor x, Tensor w, Tensor y) {
        int k = w.shape().dim(1);
        int n = w.shape().dim(0);
        long m = x.size() / k;
        MemorySegment sx = x.segment();
        MemorySegment sw = w.segment();
        MemorySegment sy = y.segment();
        long rowBytes = (long) k * Float.BYTES;
        int col = 0;
        for (; col + 4 <= n; col += 4) {
            long w0 = col * rowBytes;
            for (long row = 0; row < m; row++) {
                dot4(sx, row * rowBytes, sw, w0, rowBytes, sy, (row * n + col) * Float.BYTES);
            }
        }
        for (; col < n; col++) {
            for (long row = 0; row < m; row++) {
                sy.set(F, (row * n + col) * Float.BYTES, dot(sx, row * rowBytes, sw, col * rowBytes, rowBytes));
            }
        }
    }

    /** Four dot products of one X row with four consecutive W rows, written to four consecutive outputs. */
    private static void dot4(MemorySegment x, long xOff, MemorySegment w, long wOff, long rowBytes,
                             MemorySegment y, long yOff) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = FloatVector.zero(SPECIES);
        FloatVector acc2 = FloatVector.zero(SPECIES);
        FloatVector acc3 = FloatVector.zero(SPECIES);
        long vectorEnd = rowBytes - rowBytes % VECTOR_BYTES;
        long b = 0;
        for (; b < vectorEnd; b += VECTOR_BYTES) {
            FloatVector xv = FloatVector.fromMemorySegment(SPECIES, x, xOff + b, ORDER);
            acc0 = xv.fma(FloatVector.fromMemorySegment(SPECIES, w, wOff + b, ORDER), acc0);
            acc1 = xv.fma(FloatVector.fromMemorySegment(SPECIES, w, wOff + rowBytes + b, ORDER), acc1);
            acc2 = xv.fma(FloatVector.fromMemorySegment(SPECIES, w, wOff + 2 * rowBytes + b, ORDER), acc2);
            acc3 = xv.fma(FloatVector.fromMemorySegment(SPECIES, w, wOff + 3 * rowBytes + b, ORDER), acc3);
        }
        y.set(F, yOff, sumLanes(acc0) + tail(x, xOff, w, wOff, b, rowBytes));
        y.set(F, yOff + 4, sumLanes(acc1) + tail(x, xOff, w, wOff + rowBytes, b, rowBytes));
        y.set(F, yOff + 8, sumLanes(acc2) + tail(x, xOff, w, wOff + 2 * rowBytes, b, rowBytes));
        y.set(F, yOff + 12, sumLanes(acc3) + tail(x, xOff, w, wOff + 3 * rowBytes, b, rowBytes));
    }

    private static float dot(MemorySegment x, long xOff, MemorySegment w, long wOff, long rowBytes) {
        FloatVector acc = FloatVector.zero(SPECIES);
        long vectorEnd = rowBytes - rowBytes % VECTOR_BYTES;
        long b = 0;
        for (; b < vectorEnd; b += VECTOR_BYTES) {
            acc = FloatVector.fromMemorySegment(SPECIES, x, xOff + b, ORDER)
                    .fma(FloatVector.fromMemorySegment(SPECIES, w, wOff + b, ORDER), acc);
        }
        return sumLanes(acc) + tail(x, xOff, w, wOff, b, rowBytes);
    }

    /** The scalar part of a dot product, for the last K mod LANES elements. */
    private static float tail(MemorySegment x, long xOff, MemorySegment w, long wOff, long from, long rowBytes) {
        float sum = 0f;
        for (long b = from; b < rowBytes; b += Float.BYTES) {
            sum = Math.fma(x.get(F, xOff + b), w.get(F, wOff + b), sum);
        }
        return sum;
    }

    /**
     * The sum of all lanes in a fixed pairwise order. {@code reduceLanes(ADD)} may sum in any order,
     * and its interpreted and compiled forms do differ, which would make results depend on JIT timing.
     */
    static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) {
            v = v.add(v.rearrange(fold));
        }
        return v.lane(0);
    }
}
