package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;

/**
 * {@code nn.Linear} for training: {@code y = x · Wᵀ + b} on the float32 master weight, and its backward.
 * The bias (and its gradient) may be null, as the book's query, key and value layers have none.
 */
record TrainingLinear(Kernels kernels, Tensor weight, Tensor weightGrad, Tensor bias, Tensor biasGrad) {

    void forward(Tensor x, Tensor y) {
        kernels.matmul(x, weight, y);
        if (bias != null) {
            kernels.add(y, bias, y);
        }
    }

    /** Accumulates the parameters' gradients from {@code dy} and the input {@code x}; writes {@code dx = dy · W}. */
    void backward(Tensor dy, Tensor x, Tensor dx) {
        kernels.matmulBackwardWeight(dy, x, weightGrad);
        if (bias != null) {
            kernels.biasBackward(dy, biasGrad);
        }
        kernels.matmulBackwardInput(dy, weight, dx);
    }

    /** {@link #backward}, adding {@code dy · W} to {@code dx} (through {@code scratch}, of dx's shape). */
    void backwardAdding(Tensor dy, Tensor x, Tensor dx, Tensor scratch) {
        backward(dy, x, scratch);
        kernels.add(dx, scratch, dx);
    }
}
