package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;

/** {@code nn.Linear}: {@code y = x · Wᵀ + b}, with W packed once for the kernels and b optional. */
record Linear(Kernels kernels, PackedWeight weight, Tensor bias) {

    /** {@code y [.., out] = x [.., in] · Wᵀ + b}. */
    void forward(Tensor x, Tensor y) {
        kernels.matmul(x, weight, y);
        if (bias != null) {
            kernels.add(y, bias, y);
        }
    }
}
