package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.core.random.TorchGenerator;

/**
 * A pass's {@code nn.Dropout} layers. In training each one draws its mask as PyTorch draws it
 * ({@link Dropout} on a tensor of ones gives the factors, 0 or {@code 1/(1−p)}), keeps it for the backward
 * and multiplies: {@code x · mask}, the very product PyTorch's {@code x * noise} is. In eval nothing is drawn.
 */
final class TrainingDropout {

    private final Kernels kernels;
    private final double p;
    private TorchGenerator generator;
    private Dropout.Mode mode;

    TrainingDropout(Kernels kernels, double p) {
        this.kernels = kernels;
        this.p = p;
    }

    /** Training mode, drawing from {@code generator} as {@code mode} says; or eval mode when it is null. */
    void mode(TorchGenerator generator, Dropout.Mode mode) {
        this.generator = generator;
        this.mode = mode;
    }

    /** Draws {@code mask} in training mode and returns true; returns false in eval mode (nothing drawn). */
    boolean draw(Tensor mask) {
        if (generator == null) {
            return false;
        }
        for (long i = 0, n = mask.size(); i < n; i++) {
            mask.set(i, 1f);
        }
        Dropout.apply(mask, p, mode, generator);
        return true;
    }

    /** Draws {@code mask} (of x's shape) and applies it to {@code x} in place; nothing in eval mode. */
    void forward(Tensor x, Tensor mask) {
        if (draw(mask)) {
            kernels.mul(x, mask, x);
        }
    }
}
