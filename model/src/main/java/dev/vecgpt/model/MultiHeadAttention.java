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
     * and the queries attend to every cached position too.
     */
    void forward(Tensor input, Workspace ws, KvCache cache, int layer, DropoutState dropout) {
        query.forward(input, ws.q);
        key.forward(input, ws.k);
        value.forward(input, ws.v);
        Tensor keys = ws.k;
        Tensor values = ws.v;
        if (cache != null) {
            cache.append(layer, ws.k, ws.v);
            int total = cache.length() + ws.length;
            keys = cache.keys(layer, total);
            values = cache.values(layer, total);
        }
        Tensor weights = ws.scores(keys.shape().dim(1));
        kernels.attentionScores(ws.q, keys, heads, weights);
        kernels.softmax(weights, weights);
        dropout.apply(weights);
        kernels.attentionValues(weights, values, heads, ws.context);
        outProj.forward(ws.context, ws.out);
    }
}
