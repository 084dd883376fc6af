package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;

/** The book's {@code LayerNorm} for training: the forward of {@link LayerNorm} and its backward. */
record TrainingNorm(Kernels kernels, Tensor scale, Tensor shift, Tensor scaleGrad, Tensor shiftGrad) {

    void forward(Tensor x, Tensor out) {
        kernels.layerNorm(x, scale, shift, LayerNorm.EPS, out);
    }

    /** Accumulates the scale's and shift's gradients, and adds the input's to {@code dx}. */
    void backward(Tensor dOut, Tensor x, Tensor dx) {
        kernels.layerNormBackward(dOut, x, scale, LayerNorm.EPS, dx, scaleGrad, shiftGrad);
    }
}
