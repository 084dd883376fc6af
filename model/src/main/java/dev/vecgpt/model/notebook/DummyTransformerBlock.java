package dev.vecgpt.model.notebook;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;

/** The notebook's placeholder transformer block: the identity. */
final class DummyTransformerBlock implements Layer {

    @Override
    public Tensor forward(Tensor x, Arena arena) {
        return x;
    }
}
