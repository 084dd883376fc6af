package dev.vecgpt.model.train;

/**
 * A batch of windows as the DataLoader collates it: {@code rows} windows of {@code length} tokens, inputs and
 * targets flattened row-major ({@code [rows][length]}).
 *
 * @param windows the dataset index of each row, in order
 */
public record Batch(int rows, int length, int[] inputs, int[] targets, int[] windows) {

    /** {@code input_batch.numel()}: the tokens this batch holds. */
    public int tokens() {
        return rows * length;
    }
}
