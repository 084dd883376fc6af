package dev.vecgpt.model;

import dev.vecgpt.core.Tensor;
import dev.vecgpt.model.Gpt2Parameters.Parameter;

/**
 * Where a {@link GptModel}'s parameters come from, asked for one by one in the order of
 * {@link Gpt2Parameters#of} (PyTorch's registration order): drawn from a seeded generator
 * ({@link RandomWeights}) or read from a checkpoint ({@link HuggingFaceGpt2}).
 */
interface WeightSource {

    /**
     * Parameter {@code p} in PyTorch's layout ({@code [out, in]} for a linear weight). A linear weight is
     * packed by the caller, so it may live in scratch memory.
     */
    Tensor load(Parameter p);
}
