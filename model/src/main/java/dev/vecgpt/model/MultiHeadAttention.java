package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.model.internal.DropoutState;
import dev.vecgpt.core.Tensor;

/**
 * Causal multi-head self-attention, as the notebook's {@code MultiHeadAttention}: query, key and
 * value projections, scores {@code Q·Kᵀ/√d} with future positions masked, softmax, dropout on the
 * weights (training only), the weighted values of all heads side by side, {@code out_proj}.
 */
record MultiHeadAttention(Kernels kernels, int heads, Linear query, Linear key, Linear value, Linear outProj) {

    /**
     * Attends from {@code input [B, T, D]} (the normalized stream, in {@code ws}) and writes the
     * result to {@code ws.out}. With a cache (batch 1, eval only), the new keys and values are
     * appended to it and the queries attend to every cached position too. Without dropout (eval)
     * the kernels attend in one call, over the keys transposed (the cache keeps them so); in
     * training, dropout needs the weights, so they go through a scores tensor.
     */
    void forward(Tensor input, Workspace ws, KvCache cache, int layer, DropoutState dropout) {
        query.forward(input, ws.q);
        key.forward(input, ws.k);
        value.forward(input, ws.v);
        if (dropout.training()) {
            if (cache != null) {
                throw new IllegalStateException("a KV cache is for inference, and dropout is on (training mode)");
            }
            Tensor weights = ws.scores(ws.length);
            kernels.attentionScores(ws.q, ws.k, heads, weights);
            kernels.softmax(weights, weights);
            dropout.apply(weights);
            kernels.attentionValues(weights, ws.v, heads, ws.context);
        } else {
            attend(ws.q, ws, cache, layer, ws.context);
        }
        outProj.forward(ws.context, ws.out);
    }

    /**
     * {@link #forward} in eval for the last position's output only: the keys and values of every
     * position of {@code ws} (from {@code ws.normed}; appended to {@code cache} if there is one), then
     * the last position's query, its attention over them and {@code out_proj}, into {@code last.out}.
     */
    void forwardLast(Workspace ws, Workspace last, KvCache cache, int layer) {
        key.forward(ws.normed, ws.k);
        value.forward(ws.normed, ws.v);
        Workspace.copyLastRow(ws.normed, last.normed);
        query.forward(last.normed, last.q);
        attend(last.q, ws, cache, layer, last.context);
        outProj.forward(last.context, last.out);
    }

    /**
     * Eval attention of the queries {@code q} (the last of {@code ws}'s positions) over the keys and
     * values in {@code ws.k} and {@code ws.v}, after the cached ones if there is a cache (they are
     * appended to it first), into {@code context}: one kernel call over the keys transposed.
     */
    private void attend(Tensor q, Workspace ws, KvCache cache, int layer, Tensor context) {
        if (cache != null) {
            cache.append(kernels, layer, ws.k, ws.v);
            kernels.attention(q, cache.keys(layer), cache.values(layer), cache.length() + ws.length, heads, context);
        } else {
            Tensor kT = ws.keysTransposed();
            kernels.transposeInto(ws.k, kT, 0);
            kernels.attention(q, kT, ws.v, ws.length, heads, context);
        }
    }
}
