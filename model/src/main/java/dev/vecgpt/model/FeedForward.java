package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.random.TorchGenerator;
import java.lang.foreign.Arena;

/** The notebook's {@code FeedForward}: Linear(D → 4D) → GELU → Linear(4D → D). */
final class FeedForward {

    private final Kernels kernels;
    final Linear up;
    final Linear down;

    FeedForward(GptConfig config, TorchGenerator generator, Kernels kernels, WeightFormat format, Arena arena) {
        this.kernels = kernels;
        int d = config.embDim();
        up = new Linear(d, 4 * d, true, generator, kernels, format, arena);
        down = new Linear(4 * d, d, true, generator, kernels, format, arena);
    }

    /** {@code ws.out = down(gelu(up(input)))}. */
    void forward(Tensor input, Workspace ws) {
        up.forward(input, ws.hidden);
        kernels.gelu(ws.hidden, ws.hidden);
        down.forward(ws.hidden, ws.out);
    }
}
