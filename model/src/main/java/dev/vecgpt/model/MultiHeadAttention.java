package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;

/**
 * Causal multi-head self-attention, as the notebook's {@code MultiHeadAttention}: query, key and
 * value projections, scores {@code Q·Kᵀ/√d} with future positions masked, softmax, dropout on the
 * weights (training only), the weighted values of all heads side by side, {@code out_proj}.
 */
final class MultiHeadAttention {

    private final Kernels kernels;
    private final int heads;
    private final DropoutState dropout;
    final Linear query;
    final Linear key;
    final Linear value;
    final Linear outProj;

    /** Creates W_query, W_key, W_value and out_proj in PyTorch's order. */
    MultiHeadAttention(String name, GptConfig config, WeightSource source, DropoutState dropout, Kernels kernels,
                       WeightFormat format, Arena arena) {
        this.kernels = kernels;
        this.heads = config.nHeads();
        this.dropout = dropout;
        int d = config.embDim();
        query = new Linear(name + ".W_query", d, d, config.qkvBias(), source, kernels, format, arena);
        key = new Linear(name + ".W_key", d, d, config.qkvBias(), source, kernels, format, arena);
        value = new Linear(name + ".W_value", d, d, config.qkvBias(), source, kernels, format, arena);
        outProj = new Linear(name + ".out_proj", d, d, true, source, kernels, format, arena);
    }

    /**
     * Attends from {@code input [B, T, D]} (the normalized stream, in {@code ws}) and writes the
     * result to {@code ws.out}. With a cache (batch 1), the new keys and values are appended to it
     * and the queries attend to every cached position too.
     */
    void forward(Tensor input, Workspace ws, KvCache cache, int layer) {
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
