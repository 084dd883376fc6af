package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * Causal attention's backward, the reference's loops with each head's vectors of {@code d} floats
 * vectorized. A (batch, head) pair writes only its own columns of dq, dk and dv, so the pairs are
 * split over the threads and no sum depends on the split.
 */
final class AttentionGradients {

    private static final int LANES = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    private AttentionGradients() {}

    static void backward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor mask, int heads,
                         Tensor dq, Tensor dk, Tensor dv, WorkerPool pool) {
        int batch = q.shape().dim(0);
        int units = batch * heads;
        boolean shareable = true;
        for (Tensor t : new Tensor[] {dOut, q, k, v, probs, mask, dq, dk, dv}) {
            shareable &= pool.canShare(t.segment());
        }
        int parts = shareable ? Math.min(pool.threads(), units) : 1;
        if (parts == 1) {
            pairs(dOut, q, k, v, probs, mask, heads, dq, dk, dv, 0, units);
            return;
        }
        pool.run(parts, (part, all) -> pairs(dOut, q, k, v, probs, mask, heads, dq, dk, dv,
                (int) ((long) units * part / all), (int) ((long) units * (part + 1) / all)));
    }

    /** The (batch, head) pairs {@code [from, to)}, numbered {@code b · heads + h}. */
    private static void pairs(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor mask, int heads,
                              Tensor dq, Tensor dk, Tensor dv, int from, int to) {
        int length = q.shape().dim(1);
        int dim = q.shape().dim(2);
        int headDim = dim / heads;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] dp = new float[length];
        MemorySegment gs = dOut.segment();
        MemorySegment qs = q.segment();
        MemorySegment ks = k.segment();
        MemorySegment vs = v.segment();
        MemorySegment ps = probs.segment();
        MemorySegment ms = mask.segment();
        for (int unit = from; unit < to; unit++) {
            int b = unit / heads;
            int h = unit % heads;
            for (int s = 0; s < length; s++) {
                long at = (((long) b * length + s) * dim + (long) h * headDim) * Float.BYTES;
                dk.segment().asSlice(at, (long) headDim * Float.BYTES).fill((byte) 0);
                dv.segment().asSlice(at, (long) headDim * Float.BYTES).fill((byte) 0);
            }
            for (int t = 0; t < length; t++) {
                long row = (((long) b * heads + h) * length + t) * length;
                long at = (((long) b * length + t) * dim + (long) h * headDim) * Float.BYTES;
                float dot = 0f;
                for (int s = 0; s <= t; s++) {
                    long vAt = (((long) b * length + s) * dim + (long) h * headDim) * Float.BYTES;
                    dp[s] = dot(gs, at, vs, vAt, headDim) * ms.getAtIndex(F, row + s);
                    dot += ps.getAtIndex(F, row + s) * dp[s];
                }
                dq.segment().asSlice(at, (long) headDim * Float.BYTES).fill((byte) 0);
                for (int s = 0; s <= t; s++) {
                    long kAt = (((long) b * length + s) * dim + (long) h * headDim) * Float.BYTES;
                    float p = ps.getAtIndex(F, row + s);
                    float ds = p * (dp[s] - dot) * scale;
                    axpy(ds, ks, kAt, dq.segment(), at, headDim);
                    axpy(ds, qs, at, dk.segment(), kAt, headDim);
                    axpy(p * ms.getAtIndex(F, row + s), gs, at, dv.segment(), kAt, headDim);
                }
            }
        }
    }

    private static float dot(MemorySegment a, long aAt, MemorySegment b, long bAt, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            long o = (long) i * Float.BYTES;
            acc = FloatVector.fromMemorySegment(SPECIES, a, aAt + o, ORDER)
                    .fma(FloatVector.fromMemorySegment(SPECIES, b, bAt + o, ORDER), acc);
        }
        float sum = VectorFunctions.sum(acc);
        for (; i < n; i++) {
            long o = (long) i * Float.BYTES;
            sum += a.get(F, aAt + o) * b.get(F, bAt + o);
        }
        return sum;
    }

    /** {@code y += alpha · x} over n floats. */
    private static void axpy(float alpha, MemorySegment x, long xAt, MemorySegment y, long yAt, int n) {
        FloatVector a = FloatVector.broadcast(SPECIES, alpha);
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            long o = (long) i * Float.BYTES;
            FloatVector.fromMemorySegment(SPECIES, x, xAt + o, ORDER)
                    .fma(a, FloatVector.fromMemorySegment(SPECIES, y, yAt + o, ORDER))
                    .intoMemorySegment(y, yAt + o, ORDER);
        }
        for (; i < n; i++) {
            long o = (long) i * Float.BYTES;
            y.set(F, yAt + o, y.get(F, yAt + o) + alpha * x.get(F, xAt + o));
        }
    }
}
