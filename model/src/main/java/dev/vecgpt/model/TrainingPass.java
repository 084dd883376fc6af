package dev.vecgpt.model;

import static dev.vecgpt.model.Gpt2Parameters.InBlock.DOWN_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.DOWN_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.KEY_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.KEY_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.NORM1_SCALE;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.NORM1_SHIFT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.NORM2_SCALE;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.NORM2_SHIFT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.OUT_PROJ_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.OUT_PROJ_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.QUERY_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.QUERY_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.UP_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.UP_WEIGHT;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.VALUE_BIAS;
import static dev.vecgpt.model.Gpt2Parameters.InBlock.VALUE_WEIGHT;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.core.random.TorchGenerator;
import dev.vecgpt.model.Gpt2Parameters.InBlock;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Training of a {@link GptModel} on batches of a fixed shape: the forward pass that keeps what the
 * backward needs, the backward, and one gradient per parameter (as PyTorch's {@code .grad}), all
 * allocated once when the pass is made ({@link #bytes}). Made by {@link GptModel#newTrainingPass}.
 *
 * <p>{@link #forwardBackward} is {@code model.train(); loss = F.cross_entropy(model(inputs).flatten(0, 1),
 * targets.flatten()); loss.backward()}: dropout masks drawn from the given generator in PyTorch's order of
 * modules, gradients added to those already there. An optimizer reads {@link #parameters()} and updates
 * each {@link Parameter#value()} in place; {@link GptModel#weightsChanged()} then hands the new weights to
 * generation and scoring. One thread at a time; close it when done.
 */
public final class TrainingPass implements AutoCloseable {

    /**
     * A trainable parameter: PyTorch's name, its value (the model's float32 weight, which an optimizer
     * changes in place) and its gradient (of the value's shape).
     */
    public record Parameter(String name, Tensor value, Tensor grad) {}

    private final GptModel model;
    private final GptConfig config;
    private final Kernels kernels;
    private final int batch;
    private final int length;
    private final Arena arena = Arena.ofShared(); // shared: the kernels may hand work to their threads
    private final List<Parameter> parameters;
    private final Tensor tokEmb;
    private final Tensor tokEmbGrad;
    private final Tensor posRows;
    private final Tensor posEmbGrad;
    private final List<TrainingBlock> blocks = new ArrayList<>();
    private final TrainingNorm finalNorm;
    private final Tensor head;
    private final Tensor headGrad;
    private final TrainingActivations acts;
    private final TrainingDropout dropout;
    /** The position of each of the batch's tokens, for the position embedding's gradient. */
    private final int[] positions;
    private boolean closed;

    TrainingPass(GptModel model, Map<String, Tensor> values, boolean tiedHead, int batch, int length) {
        this.model = model;
        this.config = model.config();
        this.kernels = model.kernels();
        this.batch = batch;
        this.length = length;
        try {
            Map<String, Parameter> byName = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> v : values.entrySet()) {
                if (tiedHead && v.getKey().equals(Gpt2Parameters.OUT_HEAD)) {
                    continue; // the token embedding, counted once as PyTorch's parameters() does
                }
                byName.put(v.getKey(), new Parameter(v.getKey(), v.getValue(),
                        Tensor.allocate(arena, v.getValue().shape())));
            }
            parameters = List.copyOf(byName.values());
            tokEmb = byName.get(Gpt2Parameters.TOKEN_EMBEDDING).value();
            tokEmbGrad = byName.get(Gpt2Parameters.TOKEN_EMBEDDING).grad();
            posRows = byName.get(Gpt2Parameters.POSITION_EMBEDDING).value().slice(0, length);
            posEmbGrad = byName.get(Gpt2Parameters.POSITION_EMBEDDING).grad();
            for (int b = 0; b < config.nLayers(); b++) {
                blocks.add(block(b, byName));
            }
            finalNorm = norm(byName, Gpt2Parameters.FINAL_NORM_SCALE, Gpt2Parameters.FINAL_NORM_SHIFT);
            Parameter out = byName.get(tiedHead ? Gpt2Parameters.TOKEN_EMBEDDING : Gpt2Parameters.OUT_HEAD);
            head = out.value();
            headGrad = out.grad();
            acts = new TrainingActivations(config, batch, length, arena);
            dropout = new TrainingDropout(kernels, config.dropRate());
            positions = new int[batch * length];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i % length;
            }
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private TrainingBlock block(int b, Map<String, Parameter> p) {
        return new TrainingBlock(kernels, config.nHeads(),
                norm(p, Gpt2Parameters.name(b, NORM1_SCALE), Gpt2Parameters.name(b, NORM1_SHIFT)),
                linear(p, b, QUERY_WEIGHT, QUERY_BIAS), linear(p, b, KEY_WEIGHT, KEY_BIAS),
                linear(p, b, VALUE_WEIGHT, VALUE_BIAS), linear(p, b, OUT_PROJ_WEIGHT, OUT_PROJ_BIAS),
                norm(p, Gpt2Parameters.name(b, NORM2_SCALE), Gpt2Parameters.name(b, NORM2_SHIFT)),
                linear(p, b, UP_WEIGHT, UP_BIAS), linear(p, b, DOWN_WEIGHT, DOWN_BIAS));
    }

    private TrainingLinear linear(Map<String, Parameter> p, int b, InBlock weight, InBlock bias) {
        Parameter w = p.get(Gpt2Parameters.name(b, weight));
        Parameter c = p.get(Gpt2Parameters.name(b, bias)); // null without qkv_bias
        return new TrainingLinear(kernels, w.value(), w.grad(), c == null ? null : c.value(),
                c == null ? null : c.grad());
    }

    private TrainingNorm norm(Map<String, Parameter> p, String scale, String shift) {
        return new TrainingNorm(kernels, p.get(scale).value(), p.get(shift).value(), p.get(scale).grad(),
                p.get(shift).grad());
    }

    /**
     * The native bytes of a pass of these dimensions: a gradient per parameter (as many floats as the
     * model has parameters) and the activations ({@link TrainingActivations#bytes}). The parameters
     * themselves are the model's (plus, once, a float32 master of each packed linear weight).
     */
    public static long bytes(GptConfig config, int batch, int length) {
        long parameters = 0;
        for (Gpt2Parameters.Parameter p : Gpt2Parameters.of(config)) {
            parameters += p.shape().size();
        }
        return parameters * Float.BYTES + TrainingActivations.bytes(config, batch, length);
    }

    /** Every trainable parameter in PyTorch's order ({@code model.parameters()}), with its gradient. */
    public List<Parameter> parameters() {
        return parameters;
    }

    public int batch() {
        return batch;
    }

    public int length() {
        return length;
    }

    public GptModel model() {
        return model;
    }

    /**
     * One training forward and backward over {@code inputs} (batch × length ids, row-major) against
     * {@code targets} (as many, each an id or {@link Kernels#IGNORE_INDEX}): dropout masks drawn from
     * {@code rng} as {@code mode} says, gradients added to {@link Parameter#grad()}. Returns the mean
     * cross-entropy, as {@code F.cross_entropy}.
     *
     * @throws IllegalArgumentException if an id or target is out of range or the counts are wrong (nothing
     *                                  is drawn or changed then)
     */
    public float forwardBackward(int[] inputs, int[] targets, TorchGenerator rng, Dropout.Mode mode) {
        Objects.requireNonNull(rng, "rng");
        Objects.requireNonNull(mode, "mode");
        check(inputs, targets);
        dropout.mode(rng, mode);
        float loss = forward(inputs, targets, true);
        backward(inputs);
        return loss;
    }

    /** The mean cross-entropy in eval mode, no dropout and no gradient (the book's {@code calc_loss_batch}). */
    public float loss(int[] inputs, int[] targets) {
        check(inputs, targets);
        dropout.mode(null, null);
        return forward(inputs, targets, false);
    }

    /** Sets every gradient to zero, as {@code optimizer.zero_grad()}. */
    public void zeroGrad() {
        requireOpen();
        for (Parameter p : parameters) {
            p.grad().segment().fill((byte) 0);
        }
    }

    /** Embeddings → dropout → blocks → final norm → head → loss; in training the logits become their gradient. */
    private float forward(int[] inputs, int[] targets, boolean training) {
        Tensor[] streams = acts.streams;
        kernels.gather(tokEmb, inputs, streams[0]);
        kernels.add(streams[0], posRows, streams[0]);
        dropout.forward(streams[0], acts.embeddingMask);
        for (int l = 0; l < blocks.size(); l++) {
            blocks.get(l).forward(streams[l], acts.layers[l], streams[l + 1], acts.dropped, dropout);
        }
        finalNorm.forward(streams[blocks.size()], acts.finalNormed);
        kernels.matmul(acts.finalNormed, head, acts.logits);
        return kernels.crossEntropy(acts.logits, targets, training ? acts.logits : null);
    }

    /** The forward read from the end, from the logits' gradient (left in the logits by the loss). */
    private void backward(int[] inputs) {
        TrainingActivations.Deltas d = acts.deltas;
        kernels.matmulBackwardWeight(acts.logits, acts.finalNormed, headGrad);
        kernels.matmulBackwardInput(acts.logits, head, d.normed());
        d.stream().segment().fill((byte) 0);
        finalNorm.backward(d.normed(), acts.streams[blocks.size()], d.stream());
        for (int l = blocks.size() - 1; l >= 0; l--) {
            blocks.get(l).backward(acts.streams[l], acts.layers[l], d);
        }
        kernels.mul(d.stream(), acts.embeddingMask, d.stream());
        kernels.embeddingBackward(d.stream(), positions, posEmbGrad);
        kernels.embeddingBackward(d.stream(), inputs, tokEmbGrad);
    }

    private void check(int[] inputs, int[] targets) {
        requireOpen();
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(targets, "targets");
        int n = batch * length;
        if (inputs.length != n || targets.length != n) {
            throw new IllegalArgumentException("inputs has " + inputs.length + " ids and targets " + targets.length
                    + "; a batch of " + batch + " × " + length + " needs " + n + " of each");
        }
        int vocab = config.vocabSize();
        for (int i = 0; i < n; i++) {
            if (inputs[i] < 0 || inputs[i] >= vocab) {
                throw new IllegalArgumentException("inputs[" + i + "] = " + inputs[i] + " is outside the vocabulary [0, "
                        + vocab + ")");
            }
            if ((targets[i] < 0 || targets[i] >= vocab) && targets[i] != Kernels.IGNORE_INDEX) {
                throw new IllegalArgumentException("targets[" + i + "] = " + targets[i] + " is outside the vocabulary [0, "
                        + vocab + ") and is not the ignored " + Kernels.IGNORE_INDEX);
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this training pass is closed");
        }
    }

    /** Frees the gradients and activations; the model's weights stay. Closing twice is allowed. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
            model.sessionClosed();
        }
    }
}
