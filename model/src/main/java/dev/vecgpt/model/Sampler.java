package dev.vecgpt.model;

/** PLACEHOLDER until the sampling branch lands. */
public final class Sampler {
    public int next(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
