package dev.vecgpt.model;

import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.TorchGenerator;
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
    public Tensor embedding(String name, int rows, int dim) {
        Tensor t = Tensor.allocate(arena, rows, dim);
        generator.normal_(t, 0, 1);
        return t;
    }

    @Override
    public Tensor linearWeight(String name, int in, int out) {
        Tensor w = Tensor.allocate(scratch, out, in);
        generator.kaimingUniform_(w);
        return w;
    }

    @Override
    public Tensor linearBias(String name, int in, int out) {
        Tensor b = Tensor.allocate(arena, out);
        generator.linearBiasUniform_(b, in);
        return b;
    }

    @Override
    public Tensor norm(String name, int dim, boolean scale) {
        Tensor t = Tensor.allocate(arena, dim);
        if (scale) {
            for (int i = 0; i < dim; i++) {
                t.set(i, 1f);
            }
        }
        return t;
    }
}
