package dev.vecgpt.model.internal;

import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.core.random.TorchGenerator;
import java.util.Objects;

/**
 * What a forward pass's dropout layers share: PyTorch's training flag, the generator they draw from (the
 * one that initialized the weights, as PyTorch's global generator) and how masks are drawn.
 */
public final class DropoutState {

    private final double p;
    private final TorchGenerator generator;
    private boolean training = true;
    private Dropout.Mode mode = Dropout.Mode.X86_MKL;

    public DropoutState(double p, TorchGenerator generator) {
        this.p = p;
        this.generator = generator;
    }

    public boolean training() {
        return training;
    }

    public void training(boolean on) {
        training = on;
    }

    public void mode(Dropout.Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** {@code nn.Dropout(p)} in place: draws a mask in training mode, nothing in eval mode. */
    public void apply(Tensor x) {
        if (training) {
            Dropout.apply(x, p, mode, generator);
        }
    }
}
