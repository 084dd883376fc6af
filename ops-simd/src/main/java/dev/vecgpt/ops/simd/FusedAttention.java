package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * Causal attention in one pass over the rows {@code (b, h, t)}, with the keys transposed
 * ({@code kT [B, D, S]}, as a KV cache keeps them): for up to four queries of one head at a time,
 * their scores go to a small scratch of the thread's own, are softmaxed there and weight the
 * values at once. Each step is {@link Attention}'s or {@link Norms}' row function, so a
 * row's bits are those of the three separate kernels; what is skipped is the masked part (the
 * future keys' softmax and values, which only add zeros), the {@code [B, H, T, S]} scores tensor
 * with its round trips through memory, and two of three thread hand-offs.
 *
 * <p>The arguments sit in the fields of an object each calling thread reuses, and the scores in
 * {@link Scratch}, so a call allocates nothing.
 */
final class FusedAttention extends WorkerPool.Call {

    private static final int LANES = SPECIES.length();
    /** Rows of queries that go through the register tiles together. */
    private static final int GROUP = 4;

    private static final ThreadLocal<FusedAttention> CALLS = ThreadLocal.withInitial(FusedAttention::new);

    private MemorySegment q;
    private MemorySegment kT;
    private MemorySegment v;
    private MemorySegment out;
    /** Bytes between two rows of kT (its positions) and between two batches of v. */
    private long kTRowBytes;
    private long vBatchBytes;
    private int keys;
    private int queries;
    private int heads;
    private int dim;

    private FusedAttention() {}

    static void attend(Tensor q, Tensor kT, Tensor v, int keys, int heads, Tensor out, WorkerPool pool) {
        int batch = q.shape().dim(0);
        int queries = q.shape().dim(1);
        int dim = q.shape().dim(2);
        long rows = (long) batch * heads * queries;
        FusedAttention call = CALLS.get();
        call.q = q.segment();
        call.kT = kT.segment();
        call.v = v.segment();
        call.out = out.segment();
        call.kTRowBytes = (long) kT.shape().dim(2) * Float.BYTES;
        call.vBatchBytes = (long) v.shape().dim(1) * dim * Float.BYTES;
        call.keys = keys;
        call.queries = queries;
        call.heads = heads;
        call.dim = dim;
        // Multiply-adds: the scores and the values of the visible keys, about keys − T/2 per query. A part
        // has whole heads: the same work each (every head has the same causal triangle).
        call.split(pool, WorkerPool.Work.ATTENTION, rows * (keys - queries / 2) * 2 * (dim / heads),
                (long) batch * heads, call.q, call.kT, call.v, call.out);
    }

    @Override
    void clear() {
        q = kT = v = out = null;
    }

    /** The rows of heads {@code [from, to)}, as {@link Attention}'s kernels split them. */
    @Override
    void run(long from, long to) {
        int headDim = dim / heads;
        float scale = Attention.scale(headDim);
        long rowBytes = (long) keys * Float.BYTES;
        MemorySegment scores = Scratch.get(GROUP * rowBytes);
        long stride = (long) dim * Float.BYTES;
        long end = to * queries;
        for (long row = from * queries; row < end; ) {
            int t = (int) (row % queries);
            long bh = row / queries;
            long b = bh / heads;
            int h = (int) (bh % heads);
            long head = (long) h * headDim * Float.BYTES;
            int count = (int) Math.min(GROUP, Math.min(end - row, queries - t));
            // Query t sits at position keys − queries + t and sees the keys up to it; the group's last sees `last`.
            int first = keys - queries + t + 1;
            int last = first + count - 1;
            long qBase = (b * queries + t) * stride + head;
            // Row i of head h in batch b of kT [B, D, S] holds element i of every key.
            long kTBase = (b * dim + (long) h * headDim) * kTRowBytes;
            Attention.scoresRows(q, qBase, stride, kT, kTBase, kTRowBytes, headDim, first, count,
                    Math.min(keys, (last + LANES - 1) / LANES * LANES), keys, scale, scores, 0);
            for (int r = 0; r < count; r++) {
                Norms.softmaxRow(scores, scores, r * rowBytes, keys, first + r);
                // Keys the group's last query sees and this one does not: weight +0, as softmax gives them.
                for (int s = first + r; s < last; s++) {
                    scores.set(Tensor.FLOAT, r * rowBytes + (long) s * Float.BYTES, 0f);
                }
            }
            long vBase = b * vBatchBytes + head;
            if (count == GROUP) {
                Attention.valuesRows4(scores, 0, keys, last, v, vBase, stride, headDim, out, qBase);
            } else {
                for (int r = 0; r < count; r++) {
                    Attention.valuesRow(scores, r * rowBytes, first + r, v, vBase, stride, headDim, out, qBase + r * stride);
                }
            }
            row += count;
        }
    }
}
