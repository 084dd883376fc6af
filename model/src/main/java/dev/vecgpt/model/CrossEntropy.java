package dev.vecgpt.model;

/**
 * Cross-entropy in nats, as PyTorch's {@code F.cross_entropy(logits, target)}: {@code logsumexp(row) −
 * row[target]}, computed in double (PyTorch computes it in float32; the two agree to about 1e-6 relative,
 * well within the 1e-5 the scores promise). An instance accumulates the mean over many targets, which is
 * {@code cross_entropy(logits.flatten(0, 1), targets.flatten())} over every window (reduction "mean").
 */
public final class CrossEntropy {

    private double sum;
    private long count;

    /** Nats of {@code target} under the logits {@code row}. */
    public static double nats(float[] row, int target) {
        return nats(row, 0, row.length, target);
    }

    /** Nats of {@code target} under the logits {@code logits[offset, offset + vocab)}. */
    public static double nats(float[] logits, int offset, int vocab, int target) {
        if (vocab < 1 || offset < 0 || offset > logits.length - vocab) {
            throw new IllegalArgumentException("row [" + offset + ", " + offset + " + " + vocab
                    + ") is outside the " + logits.length + " logits");
        }
        if (target < 0 || target >= vocab) {
            throw new IllegalArgumentException("target " + target + " is outside the vocabulary [0, " + vocab + ")");
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + vocab; i++) {
            max = Math.max(max, logits[i]);
        }
        double sumExp = 0;
        for (int i = offset; i < offset + vocab; i++) {
            sumExp += Math.exp((double) logits[i] - max); // subtracting the max keeps exp from overflowing
        }
        return Math.log(sumExp) + max - logits[offset + target];
    }

    /** Adds the nats of {@code target} under {@code logits[offset, offset + vocab)} to the mean. */
    public void add(float[] logits, int offset, int vocab, int target) {
        add(nats(logits, offset, vocab, target));
    }

    /** Adds one target's nats (for example from {@link #nats}) to the mean. */
    public void add(double nats) {
        sum += nats;
        count++;
    }

    /** Targets added so far. */
    public long count() {
        return count;
    }

    /** Mean nats per target token. */
    public double mean() {
        if (count == 0) {
            throw new IllegalStateException("no targets were added: the mean cross-entropy is undefined");
        }
        return sum / count;
    }

    /** {@code exp(mean())}, the perplexity. */
    public double perplexity() {
        return Math.exp(mean());
    }
}
