package dev.vecgpt.model;

import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.TorchGenerator;
import dev.vecgpt.model.Gpt2Parameters.Parameter;
import java.lang.foreign.Arena;

/**
 * New parameters as PyTorch initializes them: embeddings {@code normal(0, 1)}, linear weights
 * kaiming-uniform, biases {@code uniform(±1/√in)}, norms ones and zeros, drawn in the order asked.
 */
final class RandomWeights implements WeightSource {

    private final TorchGenerator generator;
    private final Arena arena;
    private final Arena scratch;

    /** Parameters kept as they are go to {@code arena}, linear weights (packed by the model) to {@code scratch}. */
    RandomWeights(TorchGenerator generator, Arena arena, Arena scratch) {
        this.generator = generator;
        this.arena = arena;
        this.scratch = scratch;
    }

    @Override
    public Tensor load(Parameter p) {
        Tensor t = Tensor.allocate(p.kind() == Gpt2Parameters.Kind.LINEAR_WEIGHT ? scratch : arena, p.shape());
        switch (p.kind()) {
            case EMBEDDING -> generator.normal_(t, 0, 1);
            case LINEAR_WEIGHT -> generator.kaimingUniform_(t);
            case LINEAR_BIAS -> generator.linearBiasUniform_(t, p.fanIn());
            case NORM_SCALE -> {
                for (long i = 0; i < t.size(); i++) {
                    t.set(i, 1f);
                }
            }
            case NORM_SHIFT -> { } // allocated as zeros
        }
        return t;
    }
}
