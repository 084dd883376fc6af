package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;

/** The notebook's {@code FeedForward}: Linear(D → 4D) → GELU → Linear(4D → D). */
final class FeedForward {

    private final Kernels kernels;
    final Linear up;
    final Linear down;

    FeedForward(String name, GptConfig config, WeightSource source, Kernels kernels, WeightFormat format, Arena arena) {
        this.kernels = kernels;
        int d = config.embDim();
        up = new Linear(name + ".layers.0", d, 4 * d, true, source, kernels, format, arena);
        down = new Linear(name + ".layers.2", 4 * d, d, true, source, kernels, format, arena);
    }

    /** {@code ws.out = down(gelu(up(input)))}. */
    void forward(Tensor input, Workspace ws) {
        up.forward(input, ws.hidden);
        kernels.gelu(ws.hidden, ws.hidden);
        down.forward(ws.hidden, ws.out);
    }
}
