package dev.vecgpt.model.train;

import java.util.Arrays;
import java.util.Objects;

/**
 * The book's {@code GPTDatasetV1} over token ids: window i holds the inputs {@code ids[s, s + maxLength)} and the
 * targets {@code ids[s + 1, s + maxLength + 1)}, s = i · stride, for every s below {@code ids.length - maxLength}
 * (Python's {@code range(0, len(ids) - max_length, stride)}). Immutable; the ids are copied.
 */
public final class TokenWindows {

    private final int[] ids;
    private final int maxLength;
    private final int stride;
    private final int count;

    public TokenWindows(int[] ids, int maxLength, int stride) {
        Objects.requireNonNull(ids, "ids");
        if (maxLength < 1) {
            throw new IllegalArgumentException("max length must be >= 1, got " + maxLength);
        }
        if (stride < 1) {
            throw new IllegalArgumentException("stride must be >= 1, got " + stride);
        }
        this.ids = ids.clone();
        this.maxLength = maxLength;
        this.stride = stride;
        int starts = ids.length - maxLength; // range(0, starts, stride)
        this.count = starts <= 0 ? 0 : (starts - 1) / stride + 1;
    }

    /** The number of windows, {@code len(dataset)}. */
    public int size() {
        return count;
    }

    public int maxLength() {
        return maxLength;
    }

    public int stride() {
        return stride;
    }

    /** The number of token ids the windows were cut from. */
    public int tokenCount() {
        return ids.length;
    }

    /** A hash of the ids, to tell one text's windows from another's. */
    public int idsHash() {
        return Arrays.hashCode(ids);
    }

    /** Copies window {@code i}'s inputs to {@code inputs[offset, offset + maxLength)} and its targets likewise. */
    public void copy(int i, int[] inputs, int[] targets, int offset) {
        Objects.checkIndex(i, count);
        int start = i * stride;
        System.arraycopy(ids, start, inputs, offset, maxLength);
        System.arraycopy(ids, start + 1, targets, offset, maxLength);
    }
}
