package dev.vecgpt.model;

/**
 * How {@link GptSession#score} cuts a text into windows, as the book's data loader does: inputs
 * {@code ids[i, i+W)} and targets {@code ids[i+1, i+W+1)} for {@code i = 0, S, 2S, …} while
 * {@code i < n − W}; and how many windows go through the model at once.
 *
 * @param window W, tokens per window (0: the model's context length)
 * @param stride S, tokens between window starts (0: W, windows side by side; above W, the tokens between
 *               windows are not scored)
 * @param batch  windows per forward pass, so that the matmuls see {@code batch × W} rows
 */
public record ScoreWindows(int window, int stride, int batch) {

    /** Windows of the model's full context, side by side, four at a time. */
    public static final ScoreWindows DEFAULT = new ScoreWindows(0, 0, 4);

    public ScoreWindows {
        if (window < 0) {
            throw new IllegalArgumentException("window is " + window + ", must be >= 1 (or 0 for the model's context)");
        }
        if (stride < 0) {
            throw new IllegalArgumentException("stride is " + stride + ", must be >= 1 (or 0 for the window)");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch is " + batch + ", must be >= 1");
        }
    }

    public ScoreWindows withWindow(int window) {
        return new ScoreWindows(window, stride, batch);
    }

    public ScoreWindows withStride(int stride) {
        return new ScoreWindows(window, stride, batch);
    }

    public ScoreWindows withBatch(int batch) {
        return new ScoreWindows(window, stride, batch);
    }

    /** W for a model whose context is {@code modelContext}. */
    int window(int modelContext) {
        int w = window == 0 ? modelContext : window;
        if (w > modelContext) {
            throw new IllegalArgumentException("window " + w + " is longer than the model's context, " + modelContext);
        }
        return w;
    }

    /** S for a window of {@code window} tokens. */
    int step(int window) {
        return stride == 0 ? window : stride;
    }
}
