package dev.vecgpt.model;

/**
 * How the next token is chosen from the last position's logits, as the book's chapter-5 {@code generate}
 * does it (plus Hugging Face's top-p): immutable settings, from which {@link #start(int)} makes a stateful
 * {@link Sampler} per generation.
 *
 * @param temperature 0 for greedy (argmax after top-k, as in the book; top-p then has no effect), else the
 *                    logits are divided by it before the softmax
 * @param topK        keep the {@code topK} largest logits (ties at the k-th value kept); 0 = off
 * @param topP        nucleus sampling: keep the smallest most-probable prefix reaching {@code topP}; 1 = off
 * @param seed        the sampling generator's seed, as {@code torch.manual_seed(seed)} right before {@code generate}
 */
public record Sampling(float temperature, int topK, float topP, long seed) {

    public Sampling {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature is " + temperature + ", must be finite and >= 0 (0 = greedy)");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK is " + topK + ", must be >= 0 (0 = off)");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP is " + topP + ", must be in (0, 1] (1 = off)");
        }
    }

    /** Argmax of the logits, first index on ties (as {@code torch.argmax}). */
    public static Sampling greedy() {
        return new Sampling(0f, 0, 1f, 0L);
    }

    /** {@code softmax(logits / temperature)} then one {@code torch.multinomial} draw; no top-k, no top-p. */
    public static Sampling random(float temperature, long seed) {
        return new Sampling(temperature, 0, 1f, seed);
    }

    public Sampling withTopK(int k) {
        return new Sampling(temperature, k, topP, seed);
    }

    public Sampling withTopP(float p) {
        return new Sampling(temperature, topK, p, seed);
    }

    public Sampling withSeed(long newSeed) {
        return new Sampling(temperature, topK, topP, newSeed);
    }

    /** True when tokens are chosen by argmax (temperature 0): no random numbers are drawn. */
    public boolean isGreedy() {
        return temperature == 0;
    }

    /**
     * A fresh sampler for logits of {@code vocabSize} values, whose generator is {@code new
     * TorchGenerator(seed)}: the book's {@code torch.manual_seed(seed)} right before {@code generate}.
     */
    public Sampler start(int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize is " + vocabSize + ", must be >= 1");
        }
        if (topK > vocabSize) {
            throw new IllegalArgumentException("topK is " + topK + ", larger than the vocabulary (" + vocabSize + ")");
        }
        return new Sampler(this, vocabSize);
    }
}
