package dev.vecgpt.model;

import static dev.vecgpt.model.Gpt2Parameters.InBlock.DOWN_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.DOWN_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.KEY_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.KEY_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.NORM1_SCALE;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.NORM1_SHIFT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.NORM2_SCALE;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.NORM2_SHIFT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.OUT_PROJ_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.OUT_PROJ_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.QUERY_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.QUERY_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.UP_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.UP_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.VALUE_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.VALUE_WEIGHT;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.model.internal.DropoutState;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.model.Gpt2Parameters.InBlock;
import java.util.Map;

/**
 * The notebook's {@code TransformerBlock}: {@code x + drop(att(norm1(x)))}, then {@code x + drop(ff(norm2(x)))}.
 * Holds weights only; the activations, cache and dropout state come from the caller's session.
 */
record TransformerBlock(int index, Kernels kernels, MultiHeadAttention att, FeedForward ff, LayerNorm norm1,
                        LayerNorm norm2) {

    /** Block {@code index} over the model's parameters by name. */
    static TransformerBlock of(int index, Map<String, Object> parameters, Kernels kernels, int heads) {
        Slots p = new Slots(index, parameters, kernels);
        MultiHeadAttention att = new MultiHeadAttention(kernels, heads,
                p.linear(QUERY_WEIGHT, QUERY_BIAS), p.linear(KEY_WEIGHT, KEY_BIAS),
                p.linear(VALUE_WEIGHT, VALUE_BIAS), p.linear(OUT_PROJ_WEIGHT, OUT_PROJ_BIAS));
        FeedForward ff = new FeedForward(kernels, p.linear(UP_WEIGHT, UP_BIAS), p.linear(DOWN_WEIGHT, DOWN_BIAS));
        return new TransformerBlock(index, kernels, att, ff,
                new LayerNorm(kernels, p.tensor(NORM1_SCALE), p.tensor(NORM1_SHIFT)),
                new LayerNorm(kernels, p.tensor(NORM2_SCALE), p.tensor(NORM2_SHIFT)));
    }

    /** Updates the stream {@code ws.x} in place; {@code cache} may be null. */
    void forward(Workspace ws, KvCache cache, DropoutState dropout) {
        norm1.forward(ws.x, ws.normed);
        att.forward(ws.normed, ws, cache, index, dropout);
        dropout.apply(ws.out);
        kernels.add(ws.x, ws.out, ws.x);
        norm2.forward(ws.x, ws.normed);
        ff.forward(ws.normed, ws);
        dropout.apply(ws.out);
        kernels.add(ws.x, ws.out, ws.x);
    }

    /**
     * {@link #forward} for the next token's logits only (eval): every position's keys and values, as
     * later tokens attend to them, but the rest (the query, attention, {@code out_proj}, the
     * feed-forward) for the last position alone, into {@code last} (a one-position workspace). The
     * other positions' outputs would feed only logits nobody asked for. The kernels compute each row on
     * its own, so the last row's bits are those of {@link #forward}.
     */
    void forwardLast(Workspace ws, Workspace last, KvCache cache) {
        norm1.forward(ws.x, ws.normed);
        att.forwardLast(ws, last, cache, index);
        Workspace.copyLastRow(ws.x, last.x);
        kernels.add(last.x, last.out, last.x);
        norm2.forward(last.x, last.normed);
        ff.forward(last.normed, last);
        kernels.add(last.x, last.out, last.x);
    }

    /** One block's parameters, looked up by their place in it. */
    private record Slots(int index, Map<String, Object> parameters, Kernels kernels) {

        Linear linear(InBlock weight, InBlock bias) {
            return new Linear(kernels, (PackedWeight) parameters.get(Gpt2Parameters.name(index, weight)),
                    tensor(bias));
        }

        /** The tensor in {@code slot}, or null when this model has none (the book's qkv biases). */
        Tensor tensor(InBlock slot) {
            return (Tensor) parameters.get(Gpt2Parameters.name(index, slot));
        }
    }
}
