package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;

/** The notebook's {@code LayerNorm(emb_dim)}: eps 1e-5, learned {@code scale} and {@code shift}. */
record LayerNorm(Kernels kernels, Tensor scale, Tensor shift) {

    static final float EPS = 1e-5f;

    void forward(Tensor x, Tensor out) {
        kernels.layerNorm(x, scale, shift, EPS, out);
    }
}
