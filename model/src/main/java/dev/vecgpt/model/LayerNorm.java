package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;

/** The notebook's {@code LayerNorm(emb_dim)}: eps 1e-5, {@code scale} ones, {@code shift} zeros. */
final class LayerNorm implements Layer {

    static final float EPS = 1e-5f;

    private final Kernels kernels;
    final Tensor scale;
    final Tensor shift;

    LayerNorm(String name, int dim, WeightSource source, Kernels kernels) {
        this.kernels = kernels;
        scale = source.norm(name + ".scale", dim, true);
        shift = source.norm(name + ".shift", dim, false);
    }

    void forward(Tensor x, Tensor out) {
        kernels.layerNorm(x, scale, shift, EPS, out);
    }

    @Override
    public Tensor forward(Tensor x, Arena arena) {
        Tensor out = Tensor.allocate(arena, x.shape());
        forward(x, out);
        return out;
    }
}
