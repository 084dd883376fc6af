package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;

/** The notebook's {@code FeedForward}: Linear(D → 4D) → GELU → Linear(4D → D). */
record FeedForward(Kernels kernels, Linear up, Linear down) {

    /** {@code ws.out = down(gelu(up(input)))}. */
    void forward(Tensor input, Workspace ws) {
        up.forward(input, ws.hidden);
        kernels.gelu(ws.hidden, ws.hidden);
        down.forward(ws.hidden, ws.out);
    }
}
