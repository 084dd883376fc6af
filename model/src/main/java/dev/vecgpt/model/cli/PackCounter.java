package dev.vecgpt.model.cli;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;

/**
 * Kernels that report each weight packed: building a model packs its linear weights one by one, in
 * order, after drawing or reading them, so the count of packs is the build's progress.
 */
final class PackCounter implements Kernels {

    private final Kernels delegate;
    private final Runnable onPack;

    PackCounter(Kernels delegate, Runnable onPack) {
        this.delegate = delegate;
        this.onPack = onPack;
    }

    /** How many weights building GPT-2 with {@code layers} blocks packs: 6 per block and the output head. */
    static int gptPacks(int layers) {
        return 6 * layers + 1;
    }

    @Override
    public PackedWeight pack(Tensor w, WeightFormat format, Arena arena) {
        PackedWeight packed = delegate.pack(w, format, arena);
        onPack.run();
        return packed;
    }

    @Override
    public void repack(Tensor w, PackedWeight packed) {
        delegate.repack(w, packed);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public int threads() {
        return delegate.threads();
    }

    @Override
    public Kernels withThreads(int threads) {
        return new PackCounter(delegate.withThreads(threads), onPack);
    }

    @Override
    public void gather(Tensor table, int[] ids, Tensor out) {
        delegate.gather(table, ids, out);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        delegate.add(a, b, out);
    }

    @Override
    public void matmul(Tensor x, Tensor w, Tensor y) {
        delegate.matmul(x, w, y);
    }

    @Override
    public void matmul(Tensor x, PackedWeight w, Tensor y) {
        delegate.matmul(x, w, y);
    }

    @Override
    public void layerNorm(Tensor x, Tensor scale, Tensor shift, float eps, Tensor out) {
        delegate.layerNorm(x, scale, shift, eps, out);
    }

    @Override
    public void gelu(Tensor x, Tensor out) {
        delegate.gelu(x, out);
    }

    @Override
    public void attentionScores(Tensor q, Tensor k, int heads, Tensor scores) {
        delegate.attentionScores(q, k, heads, scores);
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        delegate.softmax(x, out);
    }

    @Override
    public void attentionValues(Tensor weights, Tensor v, int heads, Tensor out) {
        delegate.attentionValues(weights, v, heads, out);
    }

    @Override
    public void attention(Tensor q, Tensor kT, Tensor v, int keys, int heads, Tensor out) {
        delegate.attention(q, kT, v, keys, heads, out);
    }

    @Override
    public void transposeInto(Tensor x, Tensor xT, int at) {
        delegate.transposeInto(x, xT, at);
    }

    @Override
    public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        delegate.embeddingBackward(dOut, ids, dTable);
    }

    @Override
    public void matmulBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        delegate.matmulBackwardInput(dy, w, dx);
    }

    @Override
    public void matmulBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        delegate.matmulBackwardWeight(dy, x, dw);
    }

    @Override
    public void biasBackward(Tensor dy, Tensor db) {
        delegate.biasBackward(dy, db);
    }

    @Override
    public void layerNormBackward(Tensor dOut, Tensor x, Tensor scale, float eps, Tensor dx, Tensor dScale,
                                  Tensor dShift) {
        delegate.layerNormBackward(dOut, x, scale, eps, dx, dScale, dShift);
    }

    @Override
    public void geluBackward(Tensor dOut, Tensor x, Tensor dx) {
        delegate.geluBackward(dOut, x, dx);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        delegate.mul(a, b, out);
    }

    @Override
    public void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor mask, int heads,
                                  Tensor dq, Tensor dk, Tensor dv) {
        delegate.attentionBackward(dOut, q, k, v, probs, mask, heads, dq, dk, dv);
    }

    @Override
    public float crossEntropy(Tensor logits, int[] targets, Tensor dLogits) {
        return delegate.crossEntropy(logits, targets, dLogits);
    }
}
