package dev.vecgpt.model;

/**
 * How {@link GptSession#score} cuts a text into windows, as the book's data loader does: inputs
 * {@code ids[i, i+L)} and targets {@code ids[i+1, i+L+1)} for {@code i = 0, S, 2S, …} while
 * {@code i < n − L}; and how many windows go through the model at once.
 *
 * @param contextLength L, tokens per window (0: the model's context length)
 * @param stride        S, tokens between window starts (0: L, windows side by side)
 * @param batch         windows per forward pass, so that the matmuls see {@code batch × L} rows
 */
public record Scoring(int contextLength, int stride, int batch) {

    /** Windows of the model's full context, side by side, four at a time. */
    public static final Scoring DEFAULT = new Scoring(0, 0, 4);

    public Scoring {
        if (contextLength < 0) {
            throw new IllegalArgumentException("context length is " + contextLength + ", must be >= 1 (or 0 for the model's)");
        }
        if (stride < 0) {
            throw new IllegalArgumentException("stride is " + stride + ", must be >= 1 (or 0 for the context length)");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch is " + batch + ", must be >= 1");
        }
    }

    public Scoring withContextLength(int contextLength) {
        return new Scoring(contextLength, stride, batch);
    }

    public Scoring withStride(int stride) {
        return new Scoring(contextLength, stride, batch);
    }

    public Scoring withBatch(int batch) {
        return new Scoring(contextLength, stride, batch);
    }

    /** L for a model whose context is {@code modelContext}. */
    int length(int modelContext) {
        int length = contextLength == 0 ? modelContext : contextLength;
        if (length > modelContext) {
            throw new IllegalArgumentException("context length " + length + " is longer than the model's, "
                    + modelContext);
        }
        return length;
    }

    /** S for a window length of {@code length}. */
    int step(int length) {
        return stride == 0 ? length : stride;
    }
}
