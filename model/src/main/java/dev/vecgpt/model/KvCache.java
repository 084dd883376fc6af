package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
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
            keys[layer] = Tensor.allocate(arena, 1, config.embDim(), rowFloats(capacity));
            values[layer] = Tensor.allocate(arena, 1, capacity, config.embDim());
        }
    }

    /** The bytes of a cache for {@code config}: keys and values of every layer for a full context. */
    static long bytes(GptConfig config) {
        return (long) config.nLayers() * (rowFloats(config.contextLength()) + config.contextLength()) * config.embDim()
                * Float.BYTES;
    }

    /**
     * Floats per row of transposed keys for {@code positions}: an odd number of 64-byte lines. The
     * attention kernel reads one row after the other at the same column; rows a multiple of 4 KB
     * apart (1024 positions) would all fall in the same sets of the L1 cache and evict each other.
     */
    static int rowFloats(int positions) {
        int lines = (positions + 15) / 16;
        return 16 * (lines % 2 == 0 ? lines + 1 : lines);
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

    /** Keeps the first {@code positions} positions only (at most {@link #length()}). */
    void truncate(int positions) {
        if (positions < 0 || positions > length) {
            throw new IllegalArgumentException("cannot keep " + positions + " of " + length + " cached positions");
        }
        length = positions;
    }

    /** Marks {@code count} more positions as filled, once every layer has appended them. */
    void advance(int count) {
        length += count;
    }

    /** Stores layer {@code layer}'s keys (transposed, by {@code kernels}) and values {@code [1, T, D]} of the new positions. */
    void append(Kernels kernels, int layer, Tensor k, Tensor v) {
        int count = k.shape().dim(1);
        if (length + count > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " + " + count + " > " + capacity);
        }
        kernels.transposeInto(k, keys[layer], length);
        long offset = (long) length * v.shape().dim(2) * Float.BYTES;
        MemorySegment.copy(v.segment(), 0, values[layer].segment(), offset, v.segment().byteSize());
    }

    /** Layer {@code layer}'s keys transposed, {@code [1, D, rowFloats(capacity)]}: the first {@link #length()} columns are filled. */
    Tensor keys(int layer) {
        return keys[layer];
    }

    /** Layer {@code layer}'s values, {@code [1, capacity, D]}: the first {@link #length()} rows are filled. */
    Tensor values(int layer) {
        return values[layer];
    }
}
