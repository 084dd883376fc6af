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
     * result to {@code ws.out}. With a cache (batch 1), the new keys and values are appended to it
     * and the queries attend to every cached position too. Without dropout (eval) the kernels
     * attend in one call over the cache's buffers as they are; in training, dropout needs the
     * weights, so they go through a scores tensor.
     */
    void forward(Tensor input, Workspace ws, KvCache cache, int layer, DropoutState dropout) {
        query.forward(input, ws.q);
        key.forward(input, ws.k);
        value.forward(input, ws.v);
        Tensor keys = ws.k;
        Tensor values = ws.v;
        int positions = ws.length;
        if (cache != null) {
            cache.append(layer, ws.k, ws.v);
            keys = cache.keys(layer);
            values = cache.values(layer);
            positions += cache.length();
        }
        if (dropout.training()) {
            Tensor weights = ws.scores(positions);
            Tensor attended = cache == null ? keys : KvCache.first(keys, positions);
            kernels.attentionScores(ws.q, attended, heads, weights);
            kernels.softmax(weights, weights);
            dropout.apply(weights);
            kernels.attentionValues(weights, cache == null ? values : KvCache.first(values, positions), heads,
                    ws.context);
        } else {
            kernels.attention(ws.q, keys, values, positions, heads, ws.context);
        }
        outProj.forward(ws.context, ws.out);
    }
}
