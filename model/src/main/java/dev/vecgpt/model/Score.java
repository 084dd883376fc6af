package dev.vecgpt.model;

/**
 * How well a model predicts a text: the mean cross-entropy of every target token of every window, in
 * nats per token, as PyTorch's {@code cross_entropy} over the book's windows.
 *
 * @param tokens       token ids in the text
 * @param targets      target tokens scored (windows × window length)
 * @param crossEntropy mean negative log-likelihood per target, in nats
 */
public record Score(long tokens, long targets, double crossEntropy) {

    /** {@code exp(crossEntropy)}. */
    public double perplexity() {
        return Math.exp(crossEntropy);
    }
}
