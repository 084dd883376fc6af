package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The activations of one forward pass over {@code [B, T]} tokens, allocated once and reused by
 * every block (and, in generation, by every token), so a pass allocates nothing per layer.
 */
final class Workspace {

    final int batch;
    final int length;
    /** The residual stream {@code [B, T, D]}. */
    final Tensor x;
    /** A normalized copy of the stream {@code [B, T, D]}. */
    final Tensor normed;
    final Tensor q;
    final Tensor k;
    final Tensor v;
    /** The heads' contexts side by side {@code [B, T, D]}. */
    final Tensor context;
    /** A sub-layer's output {@code [B, T, D]}, added to the stream. */
    final Tensor out;
    /** The feed-forward's hidden layer {@code [B, T, 4D]}. */
    final Tensor hidden;
    /** Views {@code [1, D]} of the stream's last row and of normed's first, for the next token's logits. */
    final Tensor lastX;
    final Tensor lastNormed;
    private final int heads;
    private final int maxKeys;
    private final Arena arena;
    /** Made on first use: only a training pass needs the attention weights as a tensor. */
    private Tensor scores;
    /** Made on first use: only a pass without a KV cache transposes its own keys. */
    private Tensor keysTransposed;

    /** For {@code batch × length} new tokens attending to at most {@code maxKeys} positions. */
    Workspace(GptConfig config, int batch, int length, int maxKeys, Arena arena) {
        this.batch = batch;
        this.length = length;
        this.heads = config.nHeads();
        this.maxKeys = maxKeys;
        this.arena = arena;
        Shape stream = Shape.of(batch, length, config.embDim());
        x = Tensor.allocate(arena, stream);
        normed = Tensor.allocate(arena, stream);
        q = Tensor.allocate(arena, stream);
        k = Tensor.allocate(arena, stream);
        v = Tensor.allocate(arena, stream);
        context = Tensor.allocate(arena, stream);
        out = Tensor.allocate(arena, stream);
        hidden = Tensor.allocate(arena, batch, length, 4 * config.embDim());
        Shape rows = Shape.of(batch * length, config.embDim());
        lastX = x.reshape(rows).slice(batch * length - 1, batch * length);
        lastNormed = normed.reshape(rows).slice(0, 1);
    }

    /**
     * The bytes of a workspace of these dimensions with a KV cache: seven {@code [B, T, D]} tensors
     * and the hidden layer. A pass without a cache adds the keys transposed (about
     * {@code B · T · D} floats), a training pass the scores ({@code B · heads · T · maxKeys} floats).
     */
    static long bytes(GptConfig config, int batch, int length) {
        long tokens = (long) batch * length;
        return (7 * tokens * config.embDim() + tokens * 4 * config.embDim()) * Float.BYTES;
    }

    /** Copies the last position of {@code from [1, T, D]} into {@code into [1, 1, D]}. */
    static void copyLastRow(Tensor from, Tensor into) {
        long rowBytes = into.segment().byteSize();
        MemorySegment.copy(from.segment(), from.segment().byteSize() - rowBytes, into.segment(), 0, rowBytes);
    }

    /** The keys transposed, {@code [B, D, T + padding]} (rows as in {@link KvCache#rowFloats}), for the attention kernel. */
    Tensor keysTransposed() {
        if (keysTransposed == null) {
            keysTransposed = Tensor.allocate(arena, batch, k.shape().dim(2), KvCache.rowFloats(length));
        }
        return keysTransposed;
    }

    /** Attention scores {@code [B, heads, T, keys]} over the first part of the scores buffer (training only). */
    Tensor scores(int keys) {
        if (scores == null) {
            scores = Tensor.allocate(arena, Math.toIntExact((long) batch * heads * length * maxKeys));
        }
        return scores.slice(0, batch * heads * length * keys).reshape(Shape.of(batch, heads, length, keys));
    }
}
