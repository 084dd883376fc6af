package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.core.random.TorchGenerator;
import java.lang.foreign.Arena;

/**
 * What the notebook's models share as PyTorch modules: a configuration, the kernels they run on,
 * an arena owning their weights (closing the model frees them), PyTorch's training flag with the
 * dropout it switches, and the embedding step that starts every forward pass.
 *
 * @param <M> the model itself, so that {@code train()} and {@code eval()} chain
 */
public abstract sealed class TrainableModel<M extends TrainableModel<M>> implements AutoCloseable
        permits DummyGptModel, GptModel {

    final GptConfig config;
    final Kernels kernels;
    final Arena weights = Arena.ofShared();
    final DropoutState dropout;

    /** Dropout draws from {@code generator}, the one that initialized the weights, as PyTorch's global one. */
    TrainableModel(GptConfig config, Kernels kernels, TorchGenerator generator) {
        this.config = config;
        this.kernels = kernels;
        this.dropout = new DropoutState(config.dropRate(), generator);
    }

    public GptConfig config() {
        return config;
    }

    /** Dropout on (the default, as for a new PyTorch module). */
    public M train() {
        dropout.training(true);
        return self();
    }

    /** Dropout off: forward passes draw no random numbers and are a pure function of the ids. */
    public M eval() {
        dropout.training(false);
        return self();
    }

    public boolean isTraining() {
        return dropout.training();
    }

    /** How training-mode dropout draws its masks; {@link Dropout.Mode#X86_MKL} by default, as PyTorch on x86. */
    public M dropoutMode(Dropout.Mode mode) {
        dropout.mode(mode);
        return self();
    }

    /** {@code x = drop(tokEmb[ids] + posEmb[start, start + T))}: the first step of both models. */
    void embed(Tensor tokEmb, Tensor posEmb, int[] ids, int start, Tensor x) {
        kernels.gather(tokEmb, ids, x);
        kernels.add(x, posEmb.slice(start, start + x.shape().dim(1)), x);
        dropout.apply(x);
    }

    @SuppressWarnings("unchecked")
    private M self() {
        return (M) this;
    }

    @Override
    public void close() {
        weights.close();
    }
}
