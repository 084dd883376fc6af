package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;

/**
 * What a training forward keeps for the backward (llm.c's {@code ActivationTensors}), and the backward's
 * own scratch, for one (batch, length), allocated once. Per block: its input stream, the two normed
 * inputs, q, k, v, the attention probabilities and their dropout mask ({@code [B, heads, T, T]}), the
 * heads' contexts, the stream after attention, the feed-forward's hidden layer before and after GELU, and
 * the two shortcut dropout masks. Then the final stream, its normed copy and the logits (which the
 * loss turns into their gradient in place).
 */
final class TrainingActivations {

    /** One block's saved tensors; {@code [B, T, D]} unless said. */
    record Layer(Tensor normed1, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor attentionMask, Tensor context,
                 Tensor attentionOutMask, Tensor mid, Tensor normed2, Tensor preGelu, Tensor hidden, Tensor ffMask) {

        static Layer allocate(Arena arena, Shape stream, Shape wide, Shape weights) {
            return new Layer(Tensor.allocate(arena, stream), Tensor.allocate(arena, stream),
                    Tensor.allocate(arena, stream), Tensor.allocate(arena, stream), Tensor.allocate(arena, weights),
                    Tensor.allocate(arena, weights), Tensor.allocate(arena, stream), Tensor.allocate(arena, stream),
                    Tensor.allocate(arena, stream), Tensor.allocate(arena, stream), Tensor.allocate(arena, wide),
                    Tensor.allocate(arena, wide), Tensor.allocate(arena, stream));
        }
    }

    /** The backward's scratch: the gradients of one block's activations, reused by every block. */
    record Deltas(Tensor stream, Tensor out, Tensor normed, Tensor scratch, Tensor context, Tensor q, Tensor k,
                  Tensor v, Tensor hidden) {

        static Deltas allocate(Arena arena, Shape stream, Shape wide) {
            return new Deltas(Tensor.allocate(arena, stream), Tensor.allocate(arena, stream),
                    Tensor.allocate(arena, stream), Tensor.allocate(arena, stream), Tensor.allocate(arena, stream),
                    Tensor.allocate(arena, stream), Tensor.allocate(arena, stream), Tensor.allocate(arena, stream),
                    Tensor.allocate(arena, wide));
        }
    }

    /** The residual stream into block l, and after the last block at {@code streams[layers]}. */
    final Tensor[] streams;
    final Tensor embeddingMask;
    final Layer[] layers;
    final Tensor finalNormed;
    final Tensor logits;
    /** Attention probabilities times their mask, what multiplies the values (scratch of the forward). */
    final Tensor dropped;
    final Deltas deltas;

    TrainingActivations(GptConfig config, int batch, int length, Arena arena) {
        Shape stream = Shape.of(batch, length, config.embDim());
        Shape wide = Shape.of(batch, length, 4 * config.embDim());
        Shape weights = Shape.of(batch, config.nHeads(), length, length);
        streams = new Tensor[config.nLayers() + 1];
        for (int i = 0; i < streams.length; i++) {
            streams[i] = Tensor.allocate(arena, stream);
        }
        embeddingMask = Tensor.allocate(arena, stream);
        layers = new Layer[config.nLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = Layer.allocate(arena, stream, wide, weights);
        }
        finalNormed = Tensor.allocate(arena, stream);
        logits = Tensor.allocate(arena, batch, length, config.vocabSize());
        dropped = Tensor.allocate(arena, weights);
        deltas = Deltas.allocate(arena, stream, wide);
    }

    /**
     * The bytes of these tensors: per block 9 of {@code [B, T, D]}, 2 of {@code [B, T, 4D]} and 2 of
     * {@code [B, heads, T, T]}; then {@code layers + 3} streams' worth, the logits {@code [B, T, V]}, one
     * more {@code [B, heads, T, T]} and the deltas (8 of {@code [B, T, D]}, one of {@code [B, T, 4D]}).
     */
    static long bytes(GptConfig config, int batch, int length) {
        long tokens = (long) batch * length;
        long stream = tokens * config.embDim();
        long weights = (long) batch * config.nHeads() * length * length;
        long perLayer = 9 * stream + 2 * 4 * stream + 2 * weights;
        long floats = config.nLayers() * perLayer + (config.nLayers() + 3) * stream + tokens * config.vocabSize()
                + weights + 8 * stream + 4 * stream;
        return floats * Float.BYTES;
    }
}
