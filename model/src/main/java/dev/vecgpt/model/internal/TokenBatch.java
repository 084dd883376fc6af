package dev.vecgpt.model.internal;

import dev.vecgpt.core.GptConfig;

/**
 * A validated, rectangular batch of token ids {@code [B][T]}, flattened row-major.
 *
 * @param batch  B, the number of sequences
 * @param length T, tokens per sequence
 * @param flat   the ids, {@code B * T} of them
 */
public record TokenBatch(int batch, int length, int[] flat) {

    /** Checks {@code ids} against {@code config}, naming the first bad value and its position. */
    public static TokenBatch of(int[][] ids, GptConfig config) {
        if (ids == null || ids.length == 0) {
            throw new IllegalArgumentException("empty batch: at least one sequence of token ids is needed");
        }
        int length = requireRow(ids, 0).length;
        int[] flat = new int[Math.multiplyExact(ids.length, length)];
        for (int b = 0; b < ids.length; b++) {
            int[] row = requireRow(ids, b);
            if (row.length != length) {
                throw new IllegalArgumentException("ragged batch: sequence " + b + " has " + row.length
                        + " tokens, sequence 0 has " + length);
            }
            if (row.length > config.contextLength()) {
                throw new IllegalArgumentException("sequence " + b + " has " + row.length
                        + " tokens, longer than the context length " + config.contextLength());
            }
            for (int t = 0; t < length; t++) {
                if (row[t] < 0 || row[t] >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + row[t] + " at [" + b + "][" + t
                            + "] is outside the vocabulary [0, " + config.vocabSize() + ")");
                }
                flat[b * length + t] = row[t];
            }
        }
        return new TokenBatch(ids.length, length, flat);
    }

    private static int[] requireRow(int[][] ids, int b) {
        if (ids[b] == null || ids[b].length == 0) {
            throw new IllegalArgumentException("empty sequence: sequence " + b + " has no tokens (empty text?)");
        }
        return ids[b];
    }
}
