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
        } else if (cache != null) {
            cache.append(kernels, layer, ws.k, ws.v);
            kernels.attention(ws.q, cache.keys(layer), cache.values(layer), cache.length() + ws.length, heads,
                    ws.context);
        } else {
            Tensor kT = ws.keysTransposed();
            kernels.transposeInto(ws.k, kT, 0);
            kernels.attention(ws.q, kT, ws.v, ws.length, heads, ws.context);
        }
        outProj.forward(ws.context, ws.out);
    }
}
