package dev.vecgpt.model;

/** PLACEHOLDER until the sampling branch lands: greedy only. */
public record Sampling(float temperature, int topK, float topP, long seed) {

    public static Sampling greedy() {
        return new Sampling(0, 0, 1, 0);
    }

    public Sampler start(int vocabSize) {
        if (temperature != 0) {
            throw new UnsupportedOperationException("sampling");
        }
        return new Sampler();
    }
}
