package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Keys and values of every past position of one sequence, per layer, so that each new token costs
 * one position's work. Holds up to the context length; {@link #reset()} starts over.
 */
final class KvCache {

    private final Tensor[] keys;
    private final Tensor[] values;
    private final int capacity;
    private int length;

    KvCache(GptConfig config, Arena arena) {
        capacity = config.contextLength();
        keys = new Tensor[config.nLayers()];
        values = new Tensor[config.nLayers()];
        for (int layer = 0; layer < keys.length; layer++) {
            keys[layer] = Tensor.allocate(arena, 1, capacity, config.embDim());
            values[layer] = Tensor.allocate(arena, 1, capacity, config.embDim());
        }
    }

    /** The bytes of a cache for {@code config}: keys and values of every layer for a full context. */
    static long bytes(GptConfig config) {
        return 2L * config.nLayers() * config.contextLength() * config.embDim() * Float.BYTES;
    }

    int length() {
        return length;
    }

    int capacity() {
        return capacity;
    }

    void reset() {
        length = 0;
    }

    /** Marks {@code count} more positions as filled, once every layer has appended them. */
    void advance(int count) {
        length += count;
    }

    /** Stores layer {@code layer}'s keys and values {@code [1, T, D]} of the new positions. */
    void append(int layer, Tensor k, Tensor v) {
        int count = k.shape().dim(1);
        if (length + count > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + count + " > " + capacity);
        }
        long offset = (long) length * k.shape().dim(2) * Float.BYTES;
        MemorySegment.copy(k.segment(), 0, keys[layer].segment(), offset, k.segment().byteSize());
        MemorySegment.copy(v.segment(), 0, values[layer].segment(), offset, v.segment().byteSize());
    }

    /** Layer {@code layer}'s keys, {@code [1, capacity, D]}: the first {@link #length()} positions are filled. */
    Tensor keys(int layer) {
        return keys[layer];
    }

    Tensor values(int layer) {
        return values[layer];
    }

    /** A view of the first {@code count} positions of a cache buffer {@code [1, capacity, D]}. */
    static Tensor first(Tensor buffer, int count) {
        return buffer.reshape(Shape.of(buffer.shape().dim(1), buffer.shape().dim(2))).slice(0, count)
                .reshape(Shape.of(1, count, buffer.shape().dim(2)));
    }
}
