package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;

/** {@code nn.Linear(in, out, bias)}: {@code y = x · Wᵀ + b}, W drawn as PyTorch does and packed once. */
final class Linear {

    private final Kernels kernels;
    final PackedWeight weight;
    final Tensor bias;

    /** {@code name}'s weight, then its bias, from {@code source} (PyTorch's order); W is packed into {@code arena}. */
    Linear(String name, int in, int out, boolean hasBias, WeightSource source, Kernels kernels, WeightFormat format,
           Arena arena) {
        this.kernels = kernels;
        weight = kernels.pack(source.linearWeight(name + ".weight", in, out), format, arena);
        bias = hasBias ? source.linearBias(name + ".bias", in, out) : null;
    }

    /** {@code y [.., out] = x [.., in] · Wᵀ + b}. */
    void forward(Tensor x, Tensor y) {
        kernels.matmul(x, weight, y);
        if (bias != null) {
            kernels.add(y, bias, y);
        }
    }
}
