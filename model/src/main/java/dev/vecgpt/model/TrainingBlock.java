package dev.vecgpt.model;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.model.TrainingActivations.Deltas;
import dev.vecgpt.model.TrainingActivations.Layer;

/**
 * The book's {@code TransformerBlock} for training, {@code x + drop(att(norm1(x)))} then
 * {@code x + drop(ff(norm2(x)))}, keeping what its backward needs in a {@link Layer}; the backward is the
 * forward read from the end.
 */
record TrainingBlock(Kernels kernels, int heads, TrainingNorm norm1, TrainingLinear query, TrainingLinear key,
                     TrainingLinear value, TrainingLinear outProj, TrainingNorm norm2, TrainingLinear up,
                     TrainingLinear down) {

    /** {@code out = block(x)}; {@code dropped} is scratch of the attention probabilities' shape. */
    void forward(Tensor x, Layer a, Tensor out, Tensor dropped, TrainingDropout dropout) {
        norm1.forward(x, a.normed1());
        query.forward(a.normed1(), a.q());
        key.forward(a.normed1(), a.k());
        value.forward(a.normed1(), a.v());
        attend(a, dropped, dropout);
        outProj.forward(a.context(), a.mid());
        dropout.forward(a.mid(), a.attentionOutMask());
        kernels.add(x, a.mid(), a.mid());
        norm2.forward(a.mid(), a.normed2());
        up.forward(a.normed2(), a.preGelu());
        kernels.gelu(a.preGelu(), a.hidden());
        down.forward(a.hidden(), out);
        dropout.forward(out, a.ffMask());
        kernels.add(a.mid(), out, out);
    }

    /** Causal attention of q, k, v into the contexts: {@code softmax(q·kᵀ/√d)}, dropped out, times v. */
    private void attend(Layer a, Tensor dropped, TrainingDropout dropout) {
        kernels.attentionScores(a.q(), a.k(), heads, a.probs());
        kernels.softmax(a.probs(), a.probs());
        if (dropout.draw(a.attentionMask())) {
            kernels.mul(a.probs(), a.attentionMask(), dropped);
            kernels.attentionValues(dropped, a.v(), heads, a.context());
        } else {
            kernels.attentionValues(a.probs(), a.v(), heads, a.context());
        }
    }

    /**
     * From {@code d.stream()}, the gradient of the block's output, to the gradient of its input {@code x}
     * in the same tensor, accumulating every parameter's gradient on the way.
     */
    void backward(Tensor x, Layer a, Deltas d) {
        kernels.mul(d.stream(), a.ffMask(), d.out());
        down.backward(d.out(), a.hidden(), d.hidden());
        kernels.geluBackward(d.hidden(), a.preGelu(), d.hidden());
        up.backward(d.hidden(), a.normed2(), d.normed());
        norm2.backward(d.normed(), a.mid(), d.stream());
        kernels.mul(d.stream(), a.attentionOutMask(), d.out());
        outProj.backward(d.out(), a.context(), d.context());
        kernels.attentionBackward(d.context(), a.q(), a.k(), a.v(), a.probs(), a.attentionMask(), heads, d.q(),
                d.k(), d.v());
        query.backward(d.q(), a.normed1(), d.normed());
        key.backwardAdding(d.k(), a.normed1(), d.normed(), d.scratch());
        value.backwardAdding(d.v(), a.normed1(), d.normed(), d.scratch());
        norm1.backward(d.normed(), x, d.stream());
    }
}
