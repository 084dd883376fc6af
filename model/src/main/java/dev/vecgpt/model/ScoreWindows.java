package dev.vecgpt.model;

import java.util.Arrays;

/**
 * The book's data loader windows over a text's token ids: {@code inputs = ids[i : i+L]}, {@code targets =
 * ids[i+1 : i+L+1]} for {@code i = 0, S, 2S, …} while {@code i < n − L} (Python's {@code range(0, n − L, S)}),
 * L the context length, S the stride. Overlapping windows (S &lt; L) score some tokens more than once, as
 * the book does. Holds the ids by reference: do not change them while using the windows.
 */
public final class ScoreWindows {

    private final int[] ids;
    private final int length;
    private final int stride;
    private final int count;

    private ScoreWindows(int[] ids, int length, int stride) {
        this.ids = ids;
        this.length = length;
        this.stride = stride;
        this.count = (ids.length - length - 1) / stride + 1; // the i in [0, n - L) that are multiples of S
    }

    /** Windows of {@code length} tokens every {@code stride} tokens; the text needs at least length + 1 tokens. */
    public static ScoreWindows of(int[] ids, int length, int stride) {
        if (length < 1) {
            throw new IllegalArgumentException("window length is " + length + ", must be >= 1");
        }
        if (stride < 1) {
            throw new IllegalArgumentException("stride is " + stride + ", must be >= 1");
        }
        if (ids.length <= length) {
            throw new IllegalArgumentException("the text has " + ids.length + " tokens; one window of context length "
                    + length + " needs at least " + (length + 1) + " (inputs plus the next token as target)");
        }
        return new ScoreWindows(ids, length, stride);
    }

    /** Stride = length: windows side by side, each target scored once (the book's default). */
    public static ScoreWindows of(int[] ids, int length) {
        return of(ids, length, length);
    }

    public int count() {
        return count;
    }

    public int length() {
        return length;
    }

    public int stride() {
        return stride;
    }

    /** Target tokens over all windows: count × length. */
    public long targetCount() {
        return (long) count * length;
    }

    /** Index in the ids of window {@code w}'s first input token. */
    public int start(int w) {
        if (w < 0 || w >= count) {
            throw new IndexOutOfBoundsException("window " + w + " of " + count);
        }
        return w * stride;
    }

    /** A copy of window {@code w}'s inputs, {@code ids[i : i+L]}. */
    public int[] inputs(int w) {
        int i = start(w);
        return Arrays.copyOfRange(ids, i, i + length);
    }

    /** A copy of window {@code w}'s targets, {@code ids[i+1 : i+L+1]}. */
    public int[] targets(int w) {
        int i = start(w);
        return Arrays.copyOfRange(ids, i + 1, i + length + 1);
    }
}
