package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;

/** The notebook's {@code TransformerBlock}: {@code x + drop(att(norm1(x)))}, then {@code x + drop(ff(norm2(x)))}. */
final class TransformerBlock implements Layer {

    private final GptConfig config;
    private final Kernels kernels;
    private final DropoutState dropout;
    private final int index;
    final MultiHeadAttention att;
    final FeedForward ff;
    final LayerNorm norm1;
    final LayerNorm norm2;

    /** Parameters in PyTorch's registration order: att, ff, norm1, norm2 (only att and ff draw). */
    TransformerBlock(GptConfig config, int index, WeightSource source, DropoutState dropout, Kernels kernels,
                     WeightFormat format, Arena arena) {
        this.config = config;
        this.kernels = kernels;
        this.dropout = dropout;
        this.index = index;
        String name = "trf_blocks." + index;
        att = new MultiHeadAttention(name + ".att", config, source, dropout, kernels, format, arena);
        ff = new FeedForward(name + ".ff", config, source, kernels, format, arena);
        norm1 = new LayerNorm(name + ".norm1", config.embDim(), source, kernels);
        norm2 = new LayerNorm(name + ".norm2", config.embDim(), source, kernels);
    }

    /** Updates the stream {@code ws.x} in place; {@code cache} may be null. */
    void forward(Workspace ws, KvCache cache) {
        norm1.forward(ws.x, ws.normed);
        att.forward(ws.normed, ws, cache, index);
        dropout.apply(ws.out);
        kernels.add(ws.x, ws.out, ws.x);
        norm2.forward(ws.x, ws.normed);
        ff.forward(ws.normed, ws);
        dropout.apply(ws.out);
        kernels.add(ws.x, ws.out, ws.x);
    }

    /** The block on its own, over {@code x [B, T, D]} (no cache): the result is a new tensor. */
    @Override
    public Tensor forward(Tensor x, Arena arena) {
        Workspace ws = new Workspace(config, x.shape().dim(0), x.shape().dim(1), x.shape().dim(1), arena);
        java.lang.foreign.MemorySegment.copy(x.segment(), 0, ws.x.segment(), 0, x.segment().byteSize());
        forward(ws, null);
        return ws.x;
    }
}
