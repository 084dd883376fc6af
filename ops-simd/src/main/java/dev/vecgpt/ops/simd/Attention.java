package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.IntPredicate;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * Causal multi-head attention's two products: scores {@code q_h · k_hᵀ · (1/√d)} and the weighted
 * sum of values. Both work on one row {@code (b, h, t)} at a time: a row's results depend on that
 * row's inputs only, in a fixed order, so any split of the rows over threads gives the same bits.
 */
final class Attention {

    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;
    private static final FloatVector MINUS_INFINITY = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);

    /** Below this many multiply-adds (about a millisecond) a call runs on the caller's thread: waking a worker costs more. */
    private static final long PARALLEL_WORK = 1L << 22;

    static {
        // The packed sums put four sums in the quarters of a vector.
        if (LANES < 4) {
            throw new IllegalStateException("attention kernels need vectors of at least 4 floats, " + SPECIES + " has " + LANES);
        }
    }

    private Attention() {}

    /** Splits {@code rows} into one contiguous run per thread, when the call is big enough and every tensor shareable. */
    private static int parts(long rows, long work, WorkerPool pool, Tensor... tensors) {
        if (work < PARALLEL_WORK || pool.threads() == 1) {
            return 1;
        }
        for (Tensor t : tensors) {
            if (!pool.canShare(t.segment())) {
                return 1;
            }
        }
        return (int) Math.min(pool.threads(), rows);
    }

    // ---------------------------------------------------------------- scores

    static void scores(Tensor q, Tensor k, int heads, Tensor scores, WorkerPool pool) {
        int batch = q.shape().dim(0);
        int queries = q.shape().dim(1);
        int keys = k.shape().dim(1);
        int dim = q.shape().dim(2);
        int headDim = dim / heads;
        // Exactly the reference's scale: 1/√d in double, rounded once.
        float scale = (float) (1 / Math.sqrt(headDim));
        long rows = (long) batch * heads * queries;
        int parts = parts(rows, rows * keys * headDim / 2, pool, q, k, scores);
        MemorySegment qs = q.segment();
        MemorySegment ks = k.segment();
        MemorySegment out = scores.segment();
        pool.run(parts, (part, ignored) -> {
            long end = rows * (part + 1) / parts;
            for (long row = rows * part / parts; row < end; ) {
                int t = (int) (row % queries);
                long bh = row / queries;
                int h = (int) (bh % heads);
                long b = bh / heads;
                // Four queries of one head at a time where the head and the part have four left.
                int count = (int) Math.min(4, Math.min(end - row, queries - t));
                long qBase = ((b * queries + t) * dim + (long) h * headDim) * Float.BYTES;
                long kBase = (b * keys * dim + (long) h * headDim) * Float.BYTES;
                // Query t sits at position keys − queries + t and sees the keys up to it.
                scoresRows(qs, qBase, ks, kBase, (long) dim * Float.BYTES, headDim, keys - queries + t + 1, count,
                        keys, keys, scale, out, row * keys * Float.BYTES);
                row += count;
            }
        });
    }

    /**
     * The score rows of {@code count} (at most 4) consecutive queries of one head, the first at
     * {@code qBase} seeing {@code firstVisible} keys and each next one one more, then {@code −∞} up
     * to {@code fillEnd}; rows are {@code rowFloats} apart from {@code outBase}. Four queries go through {@link #scoresTile4x4} for the keys all of them see,
     * and one at a time for the rest; a score is the same bits either way.
     *
     * <p>The vector work is in methods of scalar arguments: should C2 not inline them here, a call
     * costs a call, never a boxed vector.
     */
    static void scoresRows(MemorySegment q, long qBase, MemorySegment k, long kBase, long kStride, int headDim,
                           int firstVisible, int count, int fillEnd, int rowFloats, float scale, MemorySegment out,
                           long outBase) {
        int vectorEnd = headDim - headDim % LANES;
        long qStride = kStride;
        long outStride = (long) rowFloats * Float.BYTES;
        int from = 0;
        if (count == 4) {
            for (; from + 4 <= firstVisible; from += 4) {
                scoresTile4x4(q, qBase, qStride, k, kBase + from * kStride, kStride, headDim, vectorEnd, scale,
                        out, outBase + (long) from * Float.BYTES, outStride);
            }
        }
        for (int r = 0; r < count; r++) {
            long or = outBase + r * outStride;
            int visible = firstVisible + r;
            scoresOfRow(q, qBase + r * qStride, k, kBase, kStride, headDim, vectorEnd, from, visible, scale, out, or);
            // The future: −∞, a vector at a time.
            int s = visible;
            for (; s + LANES <= fillEnd; s += LANES) {
                MINUS_INFINITY.intoMemorySegment(out, or + (long) s * Float.BYTES, ORDER);
            }
            for (; s < fillEnd; s++) {
                out.set(F, or + (long) s * Float.BYTES, Float.NEGATIVE_INFINITY);
            }
        }
    }

    /** The scores of one query for keys {@code [from, to)}: four at a time, then one at a time. */
    private static void scoresOfRow(MemorySegment q, long qBase, MemorySegment k, long kBase, long kStride, int headDim,
                                    int vectorEnd, int from, int to, float scale, MemorySegment out, long outBase) {
        int s = from;
        for (; s + 4 <= to; s += 4) {
            dots4(q, qBase, k, kBase + s * kStride, kStride, headDim, vectorEnd, scale, out, outBase + (long) s * Float.BYTES);
        }
        for (; s < to; s++) {
            out.set(F, outBase + (long) s * Float.BYTES, dot(q, qBase, k, kBase + s * kStride, headDim, vectorEnd) * scale);
        }
    }

    /**
     * Sixteen scores: four queries ({@code qStride} apart) by four keys ({@code kStride} apart), each
     * exactly {@link #dot}'s value. A register tile, as in the matmul: per vector of the head, four
     * loads of q and four of k feed sixteen fmas (a lone dot product needs two loads per fma, and
     * its short loop's overhead is paid per four fmas). The sums are {@link #dots4}'s packed tree,
     * once per query.
     */
    private static void scoresTile4x4(MemorySegment q, long q0, long qStride, MemorySegment k, long k0, long kStride,
                                      int headDim, int vectorEnd, float scale, MemorySegment out, long o0, long oStride) {
        long q1 = q0 + qStride;
        long q2 = q1 + qStride;
        long q3 = q2 + qStride;
        long k1 = k0 + kStride;
        long k2 = k1 + kStride;
        long k3 = k2 + kStride;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int i = 0; i < vectorEnd; i += LANES) {
            long at = (long) i * Float.BYTES;
            FloatVector x0 = FloatVector.fromMemorySegment(SPECIES, q, q0 + at, ORDER);
            FloatVector x1 = FloatVector.fromMemorySegment(SPECIES, q, q1 + at, ORDER);
            FloatVector x2 = FloatVector.fromMemorySegment(SPECIES, q, q2 + at, ORDER);
            FloatVector x3 = FloatVector.fromMemorySegment(SPECIES, q, q3 + at, ORDER);
            FloatVector y = FloatVector.fromMemorySegment(SPECIES, k, k0 + at, ORDER);
            a00 = x0.fma(y, a00);
            a10 = x1.fma(y, a10);
            a20 = x2.fma(y, a20);
            a30 = x3.fma(y, a30);
            y = FloatVector.fromMemorySegment(SPECIES, k, k1 + at, ORDER);
            a01 = x0.fma(y, a01);
            a11 = x1.fma(y, a11);
            a21 = x2.fma(y, a21);
            a31 = x3.fma(y, a31);
            y = FloatVector.fromMemorySegment(SPECIES, k, k2 + at, ORDER);
            a02 = x0.fma(y, a02);
            a12 = x1.fma(y, a12);
            a22 = x2.fma(y, a22);
            a32 = x3.fma(y, a32);
            y = FloatVector.fromMemorySegment(SPECIES, k, k3 + at, ORDER);
            a03 = x0.fma(y, a03);
            a13 = x1.fma(y, a13);
            a23 = x2.fma(y, a23);
            a33 = x3.fma(y, a33);
        }
        // Each query's four sums packed as in dots4 (written out: a vector passed to a method C2 does
        // not inline is boxed), then the rest of the tree once for all 16 sums' vectors.
        FloatVector p001 = a00.add(a00.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a01.add(a01.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        FloatVector p023 = a02.add(a02.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a03.add(a03.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        FloatVector w0 = p001.add(p001.rearrange(VectorFunctions.PAIR_QUARTER))
                .blend(p023.add(p023.rearrange(VectorFunctions.PAIR_QUARTER)), ODD_QUARTERS);
        FloatVector p101 = a10.add(a10.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a11.add(a11.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        FloatVector p123 = a12.add(a12.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a13.add(a13.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        FloatVector w1 = p101.add(p101.rearrange(VectorFunctions.PAIR_QUARTER))
                .blend(p123.add(p123.rearrange(VectorFunctions.PAIR_QUARTER)), ODD_QUARTERS);
        FloatVector p201 = a20.add(a20.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a21.add(a21.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        FloatVector p223 = a22.add(a22.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a23.add(a23.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        FloatVector w2 = p201.add(p201.rearrange(VectorFunctions.PAIR_QUARTER))
                .blend(p223.add(p223.rearrange(VectorFunctions.PAIR_QUARTER)), ODD_QUARTERS);
        FloatVector p301 = a30.add(a30.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a31.add(a31.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        FloatVector p323 = a32.add(a32.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a33.add(a33.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        FloatVector w3 = p301.add(p301.rearrange(VectorFunctions.PAIR_QUARTER))
                .blend(p323.add(p323.rearrange(VectorFunctions.PAIR_QUARTER)), ODD_QUARTERS);
        if (LANES >= 64) {
            w0 = w0.add(w0.rearrange(VectorFunctions.PAIR_8));
            w1 = w1.add(w1.rearrange(VectorFunctions.PAIR_8));
            w2 = w2.add(w2.rearrange(VectorFunctions.PAIR_8));
            w3 = w3.add(w3.rearrange(VectorFunctions.PAIR_8));
        }
        if (LANES >= 32) {
            w0 = w0.add(w0.rearrange(VectorFunctions.PAIR_4));
            w1 = w1.add(w1.rearrange(VectorFunctions.PAIR_4));
            w2 = w2.add(w2.rearrange(VectorFunctions.PAIR_4));
            w3 = w3.add(w3.rearrange(VectorFunctions.PAIR_4));
        }
        if (LANES >= 16) {
            w0 = w0.add(w0.rearrange(VectorFunctions.PAIR_2));
            w1 = w1.add(w1.rearrange(VectorFunctions.PAIR_2));
            w2 = w2.add(w2.rearrange(VectorFunctions.PAIR_2));
            w3 = w3.add(w3.rearrange(VectorFunctions.PAIR_2));
        }
        if (LANES >= 8) {
            w0 = w0.add(w0.rearrange(VectorFunctions.PAIR_1));
            w1 = w1.add(w1.rearrange(VectorFunctions.PAIR_1));
            w2 = w2.add(w2.rearrange(VectorFunctions.PAIR_1));
            w3 = w3.add(w3.rearrange(VectorFunctions.PAIR_1));
        }
        if (vectorEnd == headDim) {
            // No elements past the whole vectors: gather the four sums into lanes 0..3, scale, store.
            w0.rearrange(FOUR_SUMS).mul(scale).intoMemorySegment(out, o0, ORDER, FIRST_FOUR);
            w1.rearrange(FOUR_SUMS).mul(scale).intoMemorySegment(out, o0 + oStride, ORDER, FIRST_FOUR);
            w2.rearrange(FOUR_SUMS).mul(scale).intoMemorySegment(out, o0 + 2 * oStride, ORDER, FIRST_FOUR);
            w3.rearrange(FOUR_SUMS).mul(scale).intoMemorySegment(out, o0 + 3 * oStride, ORDER, FIRST_FOUR);
            return;
        }
        // Keys 0, 1, 2, 3 sit in lanes 0, LANES/2, LANES/4, 3·LANES/4.
        finish(q, q0, k, k0, kStride, headDim, vectorEnd, scale, out, o0,
                w0.lane(0), w0.lane(LANES / 2), w0.lane(LANES / 4), w0.lane(3 * LANES / 4));
        finish(q, q1, k, k0, kStride, headDim, vectorEnd, scale, out, o0 + oStride,
                w1.lane(0), w1.lane(LANES / 2), w1.lane(LANES / 4), w1.lane(3 * LANES / 4));
        finish(q, q2, k, k0, kStride, headDim, vectorEnd, scale, out, o0 + 2 * oStride,
                w2.lane(0), w2.lane(LANES / 2), w2.lane(LANES / 4), w2.lane(3 * LANES / 4));
        finish(q, q3, k, k0, kStride, headDim, vectorEnd, scale, out, o0 + 3 * oStride,
                w3.lane(0), w3.lane(LANES / 2), w3.lane(LANES / 4), w3.lane(3 * LANES / 4));
    }

    /**
     * Four scores of one query from their vector sums {@code d0..d3}: the elements past the last
     * whole vector fma'd on in order, then the scale; stored from byte {@code o}.
     */
    private static void finish(MemorySegment q, long qBase, MemorySegment k, long k0, long kStride, int headDim,
                               int vectorEnd, float scale, MemorySegment out, long o, float d0, float d1, float d2, float d3) {
        long k1 = k0 + kStride;
        long k2 = k1 + kStride;
        long k3 = k2 + kStride;
        for (int i = vectorEnd; i < headDim; i++) {
            long at = (long) i * Float.BYTES;
            float qi = q.get(F, qBase + at);
            d0 = Math.fma(qi, k.get(F, k0 + at), d0);
            d1 = Math.fma(qi, k.get(F, k1 + at), d1);
            d2 = Math.fma(qi, k.get(F, k2 + at), d2);
            d3 = Math.fma(qi, k.get(F, k3 + at), d3);
        }
        out.set(F, o, d0 * scale);
        out.set(F, o + Float.BYTES, d1 * scale);
        out.set(F, o + 2 * Float.BYTES, d2 * scale);
        out.set(F, o + 3 * Float.BYTES, d3 * scale);
    }

    /**
     * {@code q · k} over {@code headDim} floats: lane-wise fma chains over the whole vectors (lane j
     * accumulates elements j, j + LANES, ... in order), {@link VectorFunctions#sum} of the lanes,
     * then the elements past the last whole vector fma'd on in order.
     */
    private static float dot(MemorySegment q, long qBase, MemorySegment k, long kBase, int headDim, int vectorEnd) {
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int i = 0; i < vectorEnd; i += LANES) {
            long at = (long) i * Float.BYTES;
            acc = FloatVector.fromMemorySegment(SPECIES, q, qBase + at, ORDER)
                    .fma(FloatVector.fromMemorySegment(SPECIES, k, kBase + at, ORDER), acc);
        }
        float dot = VectorFunctions.sum(acc);
        for (int i = vectorEnd; i < headDim; i++) {
            long at = (long) i * Float.BYTES;
            dot = Math.fma(q.get(F, qBase + at), k.get(F, kBase + at), dot);
        }
        return dot;
    }

    /** Lanes [LANES/2, LANES), and the lanes i with i & LANES/4 set: where the packed sums below go. */
    private static final VectorMask<Float> UPPER_HALF = mask(i -> i >= LANES / 2);
    private static final VectorMask<Float> ODD_QUARTERS = mask(i -> (i & Math.max(LANES / 4, 1)) != 0);
    /** Lanes 0, LANES/2, LANES/4, 3·LANES/4 (the four packed sums) to lanes 0..3, to be stored under FIRST_FOUR. */
    private static final VectorShuffle<Float> FOUR_SUMS =
            VectorShuffle.fromValues(SPECIES, fourSums(LANES));
    private static final VectorMask<Float> FIRST_FOUR = mask(i -> i < 4);

    private static int[] fourSums(int lanes) {
        int[] source = new int[lanes];
        source[1] = lanes / 2;
        source[2] = lanes / 4;
        source[3] = 3 * lanes / 4;
        return source;
    }

    private static VectorMask<Float> mask(IntPredicate lane) {
        boolean[] bits = new boolean[LANES];
        for (int i = 0; i < LANES; i++) {
            bits[i] = lane.test(i);
        }
        return VectorMask.fromArray(SPECIES, bits, 0);
    }

    /**
     * Four scores {@code (q · k_j)·scale} for the keys at {@code k0 + j·kStride}, stored from byte
     * {@code o}: each exactly {@link #dot}'s value (so a score does not depend on s mod 4), with q
     * loaded once for four keys and the four lane sums done as one tree. After the first level (+
     * lane i + LANES/2) the halves of two sums are equal and one blend packs them into one vector;
     * after the second, the four sums share one vector, a quarter each, and the rest of the tree
     * runs once for all four. Every lane adds the same two values as {@link VectorFunctions#sum}
     * (in swapped order at most, which is the same float), so the sums are bit for bit the same.
     */
    private static void dots4(MemorySegment q, long qBase, MemorySegment k, long k0, long kStride, int headDim,
                              int vectorEnd, float scale, MemorySegment out, long o) {
        long k1 = k0 + kStride;
        long k2 = k1 + kStride;
        long k3 = k2 + kStride;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < vectorEnd; i += LANES) {
            long at = (long) i * Float.BYTES;
            FloatVector qv = FloatVector.fromMemorySegment(SPECIES, q, qBase + at, ORDER);
            a0 = qv.fma(FloatVector.fromMemorySegment(SPECIES, k, k0 + at, ORDER), a0);
            a1 = qv.fma(FloatVector.fromMemorySegment(SPECIES, k, k1 + at, ORDER), a1);
            a2 = qv.fma(FloatVector.fromMemorySegment(SPECIES, k, k2 + at, ORDER), a2);
            a3 = qv.fma(FloatVector.fromMemorySegment(SPECIES, k, k3 + at, ORDER), a3);
        }
        FloatVector p01 = a0.add(a0.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a1.add(a1.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        FloatVector p23 = a2.add(a2.rearrange(VectorFunctions.PAIR_HALF))
                .blend(a3.add(a3.rearrange(VectorFunctions.PAIR_HALF)), UPPER_HALF);
        // Quarters: a0 | a2 | a1 | a3.
        FloatVector w = p01.add(p01.rearrange(VectorFunctions.PAIR_QUARTER))
                .blend(p23.add(p23.rearrange(VectorFunctions.PAIR_QUARTER)), ODD_QUARTERS);
        if (LANES >= 64) {
            w = w.add(w.rearrange(VectorFunctions.PAIR_8));
        }
        if (LANES >= 32) {
            w = w.add(w.rearrange(VectorFunctions.PAIR_4));
        }
        if (LANES >= 16) {
            w = w.add(w.rearrange(VectorFunctions.PAIR_2));
        }
        if (LANES >= 8) {
            w = w.add(w.rearrange(VectorFunctions.PAIR_1));
        }
        if (vectorEnd == headDim) {
            w.rearrange(FOUR_SUMS).mul(scale).intoMemorySegment(out, o, ORDER, FIRST_FOUR);
            return;
        }
        float d0 = w.lane(0);
        float d1 = w.lane(LANES / 2);
        float d2 = w.lane(LANES / 4);
        float d3 = w.lane(3 * LANES / 4);
        finish(q, qBase, k, k0, kStride, headDim, vectorEnd, scale, out, o, d0, d1, d2, d3);
    }

    // ---------------------------------------------------------------- values

    static void values(Tensor weights, Tensor v, int heads, Tensor out, WorkerPool pool) {
        int batch = v.shape().dim(0);
        int keys = v.shape().dim(1);
        int dim = v.shape().dim(2);
        int queries = weights.shape().dim(2);
        int headDim = dim / heads;
        long rows = (long) batch * heads * queries;
        int parts = parts(rows, rows * keys * headDim, pool, weights, v, out);
        MemorySegment ws = weights.segment();
        MemorySegment vs = v.segment();
        MemorySegment os = out.segment();
        pool.run(parts, (part, ignored) -> {
            long end = rows * (part + 1) / parts;
            for (long row = rows * part / parts; row < end; ) {
                int t = (int) (row % queries);
                long bh = row / queries;
                int h = (int) (bh % heads);
                long b = bh / heads;
                long vBase = (b * keys * dim + (long) h * headDim) * Float.BYTES;
                long oBase = ((b * queries + t) * dim + (long) h * headDim) * Float.BYTES;
                long vStride = (long) dim * Float.BYTES;
                if (t + 4 <= queries && row + 4 <= end) {
                    valuesRows4(ws, row * keys * Float.BYTES, keys, keys, vs, vBase, vStride, headDim, os, oBase);
                    row += 4;
                } else {
                    valuesRow(ws, row * keys * Float.BYTES, keys, vs, vBase, vStride, headDim, os, oBase);
                    row++;
                }
            }
        });
    }

    /**
     * {@link #valuesRow} for four consecutive queries of one head at once (weight rows
     * {@code rowFloats} apart, output rows {@code vStride} apart), over keys {@code [0, keys)}: each load of v serves four
     * rows, so a head's values stream from L2 once per four queries, not once per query, and the
     * fma units, not the loads, set the pace. Every output is the same fma chain as in
     * {@link #valuesRow}, so the same bits.
     */
    static void valuesRows4(MemorySegment w, long wBase, int rowFloats, int keys, MemorySegment v, long vBase,
                            long vStride, int headDim, MemorySegment out, long oBase) {
        long wStride = (long) rowFloats * Float.BYTES;
        int vectorEnd = headDim - headDim % LANES;
        int i = 0;
        for (; i + 4 * LANES <= vectorEnd; i += 4 * LANES) {
            valuesTile4x4(w, wBase, wStride, keys, v, vBase + (long) i * Float.BYTES, vStride, out, oBase + (long) i * Float.BYTES);
        }
        for (; i < vectorEnd; i += LANES) {
            long vi = vBase + (long) i * Float.BYTES;
            FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
            for (int s = 0; s < keys; s++) {
                long ws = wBase + (long) s * Float.BYTES;
                FloatVector vv = FloatVector.fromMemorySegment(SPECIES, v, vi + s * vStride, ORDER);
                a0 = vv.fma(FloatVector.broadcast(SPECIES, w.get(F, ws)), a0);
                a1 = vv.fma(FloatVector.broadcast(SPECIES, w.get(F, ws + wStride)), a1);
                a2 = vv.fma(FloatVector.broadcast(SPECIES, w.get(F, ws + 2 * wStride)), a2);
                a3 = vv.fma(FloatVector.broadcast(SPECIES, w.get(F, ws + 3 * wStride)), a3);
            }
            long o = oBase + (long) i * Float.BYTES;
            a0.intoMemorySegment(out, o, ORDER);
            a1.intoMemorySegment(out, o + vStride, ORDER);
            a2.intoMemorySegment(out, o + 2 * vStride, ORDER);
            a3.intoMemorySegment(out, o + 3 * vStride, ORDER);
        }
        for (; i < headDim; i++) {
            long vi = vBase + (long) i * Float.BYTES;
            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            for (int s = 0; s < keys; s++) {
                long ws = wBase + (long) s * Float.BYTES;
                float vs = v.get(F, vi + s * vStride);
                s0 = Math.fma(vs, w.get(F, ws), s0);
                s1 = Math.fma(vs, w.get(F, ws + wStride), s1);
                s2 = Math.fma(vs, w.get(F, ws + 2 * wStride), s2);
                s3 = Math.fma(vs, w.get(F, ws + 3 * wStride), s3);
            }
            long o = oBase + (long) i * Float.BYTES;
            out.set(F, o, s0);
            out.set(F, o + vStride, s1);
            out.set(F, o + 2 * vStride, s2);
            out.set(F, o + 3 * vStride, s3);
        }
    }

    /** Four queries times four vectors of the head: 16 accumulators, as the matmul's register tile. */
    private static void valuesTile4x4(MemorySegment w, long wBase, long wStride, int keys, MemorySegment v, long vi,
                                      long vStride, MemorySegment out, long o) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int s = 0; s < keys; s++) {
            long at = vi + s * vStride;
            long ws = wBase + (long) s * Float.BYTES;
            FloatVector v0 = FloatVector.fromMemorySegment(SPECIES, v, at, ORDER);
            FloatVector v1 = FloatVector.fromMemorySegment(SPECIES, v, at + VECTOR_BYTES, ORDER);
            FloatVector v2 = FloatVector.fromMemorySegment(SPECIES, v, at + 2 * VECTOR_BYTES, ORDER);
            FloatVector v3 = FloatVector.fromMemorySegment(SPECIES, v, at + 3 * VECTOR_BYTES, ORDER);
            FloatVector b = FloatVector.broadcast(SPECIES, w.get(F, ws));
            a00 = v0.fma(b, a00);
            a01 = v1.fma(b, a01);
            a02 = v2.fma(b, a02);
            a03 = v3.fma(b, a03);
            b = FloatVector.broadcast(SPECIES, w.get(F, ws + wStride));
            a10 = v0.fma(b, a10);
            a11 = v1.fma(b, a11);
            a12 = v2.fma(b, a12);
            a13 = v3.fma(b, a13);
            b = FloatVector.broadcast(SPECIES, w.get(F, ws + 2 * wStride));
            a20 = v0.fma(b, a20);
            a21 = v1.fma(b, a21);
            a22 = v2.fma(b, a22);
            a23 = v3.fma(b, a23);
            b = FloatVector.broadcast(SPECIES, w.get(F, ws + 3 * wStride));
            a30 = v0.fma(b, a30);
            a31 = v1.fma(b, a31);
            a32 = v2.fma(b, a32);
            a33 = v3.fma(b, a33);
        }
        // Stored here, not in a helper: a vector passed to a method C2 does not inline is boxed.
        a00.intoMemorySegment(out, o, ORDER);
        a01.intoMemorySegment(out, o + VECTOR_BYTES, ORDER);
        a02.intoMemorySegment(out, o + 2 * VECTOR_BYTES, ORDER);
        a03.intoMemorySegment(out, o + 3 * VECTOR_BYTES, ORDER);
        long o1 = o + vStride;
        a10.intoMemorySegment(out, o1, ORDER);
        a11.intoMemorySegment(out, o1 + VECTOR_BYTES, ORDER);
        a12.intoMemorySegment(out, o1 + 2 * VECTOR_BYTES, ORDER);
        a13.intoMemorySegment(out, o1 + 3 * VECTOR_BYTES, ORDER);
        long o2 = o1 + vStride;
        a20.intoMemorySegment(out, o2, ORDER);
        a21.intoMemorySegment(out, o2 + VECTOR_BYTES, ORDER);
        a22.intoMemorySegment(out, o2 + 2 * VECTOR_BYTES, ORDER);
        a23.intoMemorySegment(out, o2 + 3 * VECTOR_BYTES, ORDER);
        long o3 = o2 + vStride;
        a30.intoMemorySegment(out, o3, ORDER);
        a31.intoMemorySegment(out, o3 + VECTOR_BYTES, ORDER);
        a32.intoMemorySegment(out, o3 + 2 * VECTOR_BYTES, ORDER);
        a33.intoMemorySegment(out, o3 + 3 * VECTOR_BYTES, ORDER);
    }

    /**
     * One head's context for one query: {@code out[i] = Σ_s w[s]·v[s, i]}, vectorized over i (w[s]
     * broadcast, fma'd into a slice of v's row s). Every output is one fma chain over s = 0, 1, …
     * from zero, whether it sits in a vector lane or in the scalar tail: the reference's terms in
     * the reference's order, only without rounding each product.
     */
    static void valuesRow(MemorySegment w, long wBase, int keys, MemorySegment v, long vBase, long vStride,
                          int headDim, MemorySegment out, long oBase) {
        int vectorEnd = headDim - headDim % LANES;
        int i = 0;
        // Four vectors of the head (64 floats on AVX-512) at a time: four independent fma chains.
        for (; i + 4 * LANES <= vectorEnd; i += 4 * LANES) {
            long vi = vBase + (long) i * Float.BYTES;
            FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
            for (int s = 0; s < keys; s++) {
                FloatVector ws = FloatVector.broadcast(SPECIES, w.get(F, wBase + (long) s * Float.BYTES));
                long at = vi + s * vStride;
                a0 = FloatVector.fromMemorySegment(SPECIES, v, at, ORDER).fma(ws, a0);
                a1 = FloatVector.fromMemorySegment(SPECIES, v, at + VECTOR_BYTES, ORDER).fma(ws, a1);
                a2 = FloatVector.fromMemorySegment(SPECIES, v, at + 2 * VECTOR_BYTES, ORDER).fma(ws, a2);
                a3 = FloatVector.fromMemorySegment(SPECIES, v, at + 3 * VECTOR_BYTES, ORDER).fma(ws, a3);
            }
            long o = oBase + (long) i * Float.BYTES;
            a0.intoMemorySegment(out, o, ORDER);
            a1.intoMemorySegment(out, o + VECTOR_BYTES, ORDER);
            a2.intoMemorySegment(out, o + 2 * VECTOR_BYTES, ORDER);
            a3.intoMemorySegment(out, o + 3 * VECTOR_BYTES, ORDER);
        }
        for (; i < vectorEnd; i += LANES) {
            long vi = vBase + (long) i * Float.BYTES;
            FloatVector a0 = FloatVector.zero(SPECIES);
            for (int s = 0; s < keys; s++) {
                FloatVector ws = FloatVector.broadcast(SPECIES, w.get(F, wBase + (long) s * Float.BYTES));
                a0 = FloatVector.fromMemorySegment(SPECIES, v, vi + s * vStride, ORDER).fma(ws, a0);
            }
            a0.intoMemorySegment(out, oBase + (long) i * Float.BYTES, ORDER);
        }
        for (; i < headDim; i++) {
            long vi = vBase + (long) i * Float.BYTES;
            float sum = 0f;
            for (int s = 0; s < keys; s++) {
                sum = Math.fma(v.get(F, vi + s * vStride), w.get(F, wBase + (long) s * Float.BYTES), sum);
            }
            out.set(F, oBase + (long) i * Float.BYTES, sum);
        }
    }
}
