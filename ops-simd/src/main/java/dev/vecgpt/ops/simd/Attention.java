package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Causal multi-head attention's two products: scores {@code q_h · k_hᵀ · (1/√d)} and the weighted
 * sum of values. Both work on one row {@code (b, h, t)} at a time: a row's results depend on that
 * row's inputs only, in a fixed order, so any split of the rows over threads gives the same bits.
 * Both are matmuls with the long dimension in the vector lanes (keys for the scores, the head's
 * elements for the values), so no sum is ever split across lanes: each output is one fma chain in
 * the reference's order.
 */
final class Attention {

    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;
    private static final FloatVector MINUS_INFINITY = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);

    private static final ThreadLocal<Scores> SCORES = ThreadLocal.withInitial(Scores::new);
    private static final ThreadLocal<Values> VALUES = ThreadLocal.withInitial(Values::new);

    private Attention() {}

    // ---------------------------------------------------------------- scores

    /** Exactly the reference's scale: 1/√d in double, rounded once. */
    static float scale(int headDim) {
        return (float) (1 / Math.sqrt(headDim));
    }

    /**
     * Scores over keys as they are ({@code k [B, S, D]}): each head's keys are transposed into the
     * thread's scratch once per run of its rows, then scored by {@link #scoresRows}, as
     * {@link FusedAttention} scores a KV cache's transposed keys; so both give the same bits.
     */
    static void scores(Tensor q, Tensor k, int heads, Tensor scores, WorkerPool pool) {
        int queries = q.shape().dim(1);
        long rows = (long) q.shape().dim(0) * heads * queries;
        // Multiply-adds of the visible keys: about half of them.
        SCORES.get().run(q, k, scores, queries, heads, rows * k.shape().dim(1) * (q.shape().dim(2) / heads) / 2, pool);
    }

    /**
     * Scores or values: a call over the rows {@code (b, h, t)} of {@code in} and {@code other}, split by
     * whole heads (a part sets up each of its heads once).
     */
    private abstract static class PerHead extends WorkerPool.Call {
        MemorySegment in;
        MemorySegment other;
        MemorySegment out;
        int queries;
        int keys;
        int dim;
        int heads;

        /** {@code other [B, S, D]} holds the keys or values; {@code work} counts multiply-adds. */
        final void run(Tensor in, Tensor other, Tensor out, int queries, int heads, long work, WorkerPool pool) {
            this.in = in.segment();
            this.other = other.segment();
            this.out = out.segment();
            this.queries = queries;
            this.keys = other.shape().dim(1);
            this.dim = other.shape().dim(2);
            this.heads = heads;
            split(pool, WorkerPool.Work.ATTENTION, work, (long) other.shape().dim(0) * heads, this.in, this.other,
                    this.out, null);
        }

        @Override
        final void clear() {
            in = other = out = null;
        }
    }

    /** The scores; a part transposes each of its heads' keys once. */
    private static final class Scores extends PerHead {

        /** The rows of heads {@code [from, to)}. */
        @Override
        void run(long from, long to) {
            int headDim = dim / heads;
            float scale = scale(headDim);
            long stride = (long) dim * Float.BYTES;
            long keyRowBytes = (long) keys * Float.BYTES;
            MemorySegment kT = Scratch.get(headDim * keyRowBytes);
            for (long bh = from; bh < to; bh++) {
                long b = bh / heads;
                long head = (long) (int) (bh % heads) * headDim * Float.BYTES;
                for (int s = 0; s < keys; s++) {
                    for (int i = 0; i < headDim; i++) {
                        kT.set(F, i * keyRowBytes + (long) s * Float.BYTES,
                                other.get(F, (b * keys + s) * stride + head + (long) i * Float.BYTES));
                    }
                }
                for (int t = 0; t < queries; t += 4) {
                    int count = Math.min(4, queries - t);
                    // Query t sits at position keys − queries + t and sees the keys up to it.
                    scoresRows(in, (b * queries + t) * stride + head, stride, kT, 0, keyRowBytes, headDim,
                            keys - queries + t + 1, count, keys, keys, scale, out, (bh * queries + t) * keyRowBytes);
                }
            }
        }
    }

    /**
     * The score rows of {@code count} (at most 4) consecutive queries of one head (rows
     * {@code qStride} apart from {@code qBase}), the first seeing {@code firstVisible} keys and each
     * next one one more, then {@code −∞} up to {@code fillEnd}; output rows are {@code rowFloats}
     * apart from {@code outBase}. The keys come transposed: element i of key s at
     * {@code kTBase + i·kTStride + 4s}. Each score is one fma chain over the head's elements in
     * order, from +0, times the scale: keys sit in vector lanes, so a score is the same bits in
     * any lane, tile or path (the last keys go through masked loads, lane for lane the same).
     * Four queries go through the 4-query tile for the keys the last of them sees (the others'
     * extra scores are then overwritten by −∞).
     */
    static void scoresRows(MemorySegment q, long qBase, long qStride, MemorySegment kT, long kTBase, long kTStride,
                           int headDim, int firstVisible, int count, int fillEnd, int rowFloats, float scale,
                           MemorySegment out, long outBase) {
        long outStride = (long) rowFloats * Float.BYTES;
        if (count == 4) {
            int last = firstVisible + 3;
            int s = 0;
            for (; s + 2 * LANES <= last; s += 2 * LANES) {
                scoresTile4x2(q, qBase, qStride, kT, kTBase + (long) s * Float.BYTES, kTStride, headDim, scale,
                        out, outBase + (long) s * Float.BYTES, outStride);
            }
            for (; s < last; s += LANES) {
                scoresTile4x1(q, qBase, qStride, kT, kTBase + (long) s * Float.BYTES, kTStride, headDim, scale,
                        out, outBase + (long) s * Float.BYTES, outStride, SPECIES.indexInRange(s, last));
            }
        } else {
            for (int r = 0; r < count; r++) {
                scoresRow(q, qBase + r * qStride, kT, kTBase, kTStride, headDim, firstVisible + r, scale, out,
                        outBase + r * outStride);
            }
        }
        for (int r = 0; r < count; r++) {
            // The future: −∞, a vector at a time.
            long or = outBase + r * outStride;
            int s = firstVisible + r;
            for (; s + LANES <= fillEnd; s += LANES) {
                MINUS_INFINITY.intoMemorySegment(out, or + (long) s * Float.BYTES, ORDER);
            }
            for (; s < fillEnd; s++) {
                out.set(F, or + (long) s * Float.BYTES, Float.NEGATIVE_INFINITY);
            }
        }
    }

    /** One query's scores of keys {@code [0, visible)}: four vectors of keys at a time, then one. */
    private static void scoresRow(MemorySegment q, long qBase, MemorySegment kT, long kTBase, long kTStride,
                                  int headDim, int visible, float scale, MemorySegment out, long outBase) {
        int s = 0;
        for (; s + 4 * LANES <= visible; s += 4 * LANES) {
            scoresTile1x4(q, qBase, kT, kTBase + (long) s * Float.BYTES, kTStride, headDim, scale, out,
                    outBase + (long) s * Float.BYTES);
        }
        for (; s < visible; s += LANES) {
            VectorMask<Float> keys = SPECIES.indexInRange(s, visible);
            long k0 = kTBase + (long) s * Float.BYTES;
            FloatVector a = FloatVector.zero(SPECIES);
            for (int i = 0; i < headDim; i++) {
                a = FloatVector.broadcast(SPECIES, q.get(F, qBase + (long) i * Float.BYTES))
                        .fma(FloatVector.fromMemorySegment(SPECIES, kT, k0 + i * kTStride, ORDER, keys), a);
            }
            a.mul(scale).intoMemorySegment(out, outBase + (long) s * Float.BYTES, ORDER, keys);
        }
    }

    /**
     * Four queries by two vectors of keys: per element of the head, two loads of keys and four
     * broadcasts of the queries feed eight fmas (a register tile, as the matmul's; eleven vector
     * registers, so 256-bit machines do not spill).
     */
    private static void scoresTile4x2(MemorySegment q, long q0, long qStride, MemorySegment kT, long k0, long kTStride,
                                      int headDim, float scale, MemorySegment out, long o0, long oStride) {
        long q1 = q0 + qStride;
        long q2 = q1 + qStride;
        long q3 = q2 + qStride;
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00, a10 = a00, a11 = a00;
        FloatVector a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int i = 0; i < headDim; i++) {
            long at = k0 + i * kTStride;
            long qi = (long) i * Float.BYTES;
            FloatVector k0v = FloatVector.fromMemorySegment(SPECIES, kT, at, ORDER);
            FloatVector k1v = FloatVector.fromMemorySegment(SPECIES, kT, at + VECTOR_BYTES, ORDER);
            FloatVector x = FloatVector.broadcast(SPECIES, q.get(F, q0 + qi));
            a00 = x.fma(k0v, a00);
            a01 = x.fma(k1v, a01);
            x = FloatVector.broadcast(SPECIES, q.get(F, q1 + qi));
            a10 = x.fma(k0v, a10);
            a11 = x.fma(k1v, a11);
            x = FloatVector.broadcast(SPECIES, q.get(F, q2 + qi));
            a20 = x.fma(k0v, a20);
            a21 = x.fma(k1v, a21);
            x = FloatVector.broadcast(SPECIES, q.get(F, q3 + qi));
            a30 = x.fma(k0v, a30);
            a31 = x.fma(k1v, a31);
        }
        // Stored here, not in a helper: a vector passed to a method C2 does not inline is boxed.
        a00.mul(scale).intoMemorySegment(out, o0, ORDER);
        a01.mul(scale).intoMemorySegment(out, o0 + VECTOR_BYTES, ORDER);
        long o1 = o0 + oStride;
        a10.mul(scale).intoMemorySegment(out, o1, ORDER);
        a11.mul(scale).intoMemorySegment(out, o1 + VECTOR_BYTES, ORDER);
        long o2 = o1 + oStride;
        a20.mul(scale).intoMemorySegment(out, o2, ORDER);
        a21.mul(scale).intoMemorySegment(out, o2 + VECTOR_BYTES, ORDER);
        long o3 = o2 + oStride;
        a30.mul(scale).intoMemorySegment(out, o3, ORDER);
        a31.mul(scale).intoMemorySegment(out, o3 + VECTOR_BYTES, ORDER);
    }

    /** Four queries by one vector of keys, of which the lanes in {@code keys} are read and written. */
    private static void scoresTile4x1(MemorySegment q, long q0, long qStride, MemorySegment kT, long k0, long kTStride,
                                      int headDim, float scale, MemorySegment out, long o0, long oStride,
                                      VectorMask<Float> keys) {
        long q1 = q0 + qStride;
        long q2 = q1 + qStride;
        long q3 = q2 + qStride;
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < headDim; i++) {
            long qi = (long) i * Float.BYTES;
            FloatVector kv = FloatVector.fromMemorySegment(SPECIES, kT, k0 + i * kTStride, ORDER, keys);
            a0 = FloatVector.broadcast(SPECIES, q.get(F, q0 + qi)).fma(kv, a0);
            a1 = FloatVector.broadcast(SPECIES, q.get(F, q1 + qi)).fma(kv, a1);
            a2 = FloatVector.broadcast(SPECIES, q.get(F, q2 + qi)).fma(kv, a2);
            a3 = FloatVector.broadcast(SPECIES, q.get(F, q3 + qi)).fma(kv, a3);
        }
        a0.mul(scale).intoMemorySegment(out, o0, ORDER, keys);
        a1.mul(scale).intoMemorySegment(out, o0 + oStride, ORDER, keys);
        a2.mul(scale).intoMemorySegment(out, o0 + 2 * oStride, ORDER, keys);
        a3.mul(scale).intoMemorySegment(out, o0 + 3 * oStride, ORDER, keys);
    }

    /** One query by four vectors of keys: four loads and one broadcast feed four fmas (the decode step's tile). */
    private static void scoresTile1x4(MemorySegment q, long q0, MemorySegment kT, long k0, long kTStride, int headDim,
                                      float scale, MemorySegment out, long o0) {
        FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < headDim; i++) {
            long at = k0 + i * kTStride;
            FloatVector x = FloatVector.broadcast(SPECIES, q.get(F, q0 + (long) i * Float.BYTES));
            a0 = x.fma(FloatVector.fromMemorySegment(SPECIES, kT, at, ORDER), a0);
            a1 = x.fma(FloatVector.fromMemorySegment(SPECIES, kT, at + VECTOR_BYTES, ORDER), a1);
            a2 = x.fma(FloatVector.fromMemorySegment(SPECIES, kT, at + 2 * VECTOR_BYTES, ORDER), a2);
            a3 = x.fma(FloatVector.fromMemorySegment(SPECIES, kT, at + 3 * VECTOR_BYTES, ORDER), a3);
        }
        a0.mul(scale).intoMemorySegment(out, o0, ORDER);
        a1.mul(scale).intoMemorySegment(out, o0 + VECTOR_BYTES, ORDER);
        a2.mul(scale).intoMemorySegment(out, o0 + 2 * VECTOR_BYTES, ORDER);
        a3.mul(scale).intoMemorySegment(out, o0 + 3 * VECTOR_BYTES, ORDER);
    }

    // ---------------------------------------------------------------- values

    static void values(Tensor weights, Tensor v, int heads, Tensor out, WorkerPool pool) {
        int queries = weights.shape().dim(2);
        long rows = (long) v.shape().dim(0) * heads * queries;
        VALUES.get().run(weights, v, out, queries, heads, rows * v.shape().dim(1) * (v.shape().dim(2) / heads), pool);
    }

    /** The weighted sums of the values. */
    private static final class Values extends PerHead {

        /** The rows of heads {@code [from, to)}, four queries at a time. */
        @Override
        void run(long from, long to) {
            int headDim = dim / heads;
            long vStride = (long) dim * Float.BYTES;
            for (long bh = from; bh < to; bh++) {
                int h = (int) (bh % heads);
                long b = bh / heads;
                long vBase = (b * keys * dim + (long) h * headDim) * Float.BYTES;
                for (int t = 0; t < queries; ) {
                    long row = bh * queries + t;
                    long oBase = ((b * queries + t) * dim + (long) h * headDim) * Float.BYTES;
                    if (t + 4 <= queries) {
                        valuesRows4(in, row * keys * Float.BYTES, keys, keys, other, vBase, vStride, headDim, out, oBase);
                        t += 4;
                    } else {
                        valuesRow(in, row * keys * Float.BYTES, keys, other, vBase, vStride, headDim, out, oBase);
                        t++;
                    }
                }
            }
        }
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
