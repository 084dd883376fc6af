package dev.vecgpt.model;

import dev.vecgpt.core.Tensor;

/**
 * Where a {@link GptModel}'s parameters come from, asked for in PyTorch's module order under
 * PyTorch's names (as the book's {@code GPTModel} registers them): drawn from a seeded generator
 * ({@link RandomWeights}) or read from a checkpoint ({@link HuggingFaceGpt2}).
 */
interface WeightSource {

    /** An embedding table {@code [rows, dim]}, e.g. {@code tok_emb.weight}. */
    Tensor embedding(String name, int rows, int dim);

    /**
     * An {@code nn.Linear} weight {@code [out, in]} (PyTorch's layout), e.g.
     * {@code trf_blocks.0.att.W_query.weight}; the caller packs it, so it may live in scratch memory.
     */
    Tensor linearWeight(String name, int in, int out);

    /** A linear layer's bias {@code [out]}. */
    Tensor linearBias(String name, int in, int out);

    /** A layer norm's {@code scale} (ones when new) or {@code shift} (zeros when new), {@code [dim]}. */
    Tensor norm(String name, int dim, boolean scale);
}
