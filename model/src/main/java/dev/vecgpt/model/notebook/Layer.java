package dev.vecgpt.model.notebook;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;

/** One step of the model's forward pass over activations {@code [B, T, D]}. */
interface Layer {

    /**
     * Returns the layer's output for {@code x}: {@code x} itself when the layer works in place,
     * otherwise a tensor allocated from {@code arena}.
     */
    Tensor forward(Tensor x, Arena arena);
}
