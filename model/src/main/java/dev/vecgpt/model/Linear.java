package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.random.TorchGenerator;
import java.lang.foreign.Arena;

/** {@code nn.Linear(in, out, bias)}: {@code y = x · Wᵀ + b}, W drawn as PyTorch does and packed once. */
final class Linear {

    private final Kernels kernels;
    final PackedWeight weight;
    final Tensor bias;

    /** Draws W (kaiming-uniform) then b (uniform ±1/√in), PyTorch's order, from {@code generator}. */
    Linear(int in, int out, boolean hasBias, TorchGenerator generator, Kernels kernels, WeightFormat format,
           Arena arena) {
        this.kernels = kernels;
        try (Arena drawn = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(drawn, out, in);
            generator.kaimingUniform_(w);
            weight = kernels.pack(w, format, arena);
        }
        if (hasBias) {
            bias = Tensor.allocate(arena, out);
            generator.linearBiasUniform_(bias, in);
        } else {
            bias = null;
        }
    }

    /** {@code y [.., out] = x [.., in] · Wᵀ + b}. */
    void forward(Tensor x, Tensor y) {
        kernels.matmul(x, weight, y);
        if (bias != null) {
            kernels.add(y, bias, y);
        }
    }
}
