package dev.vecgpt.core;

/**
 * The hyper-parameters of a GPT-2 model, validated when built.
 *
 * @param vocabSize     tokens in the vocabulary (50257 for GPT-2's BPE)
 * @param contextLength longest sequence the positional embedding covers
 * @param embDim        embedding width
 * @param nHeads        attention heads; must divide {@code embDim}
 * @param nLayers       transformer blocks
 * @param dropRate      dropout probability in training, in [0, 1)
 * @param qkvBias       whether the query, key and value projections have a bias
 */
public record GptConfig(int vocabSize, int contextLength, int embDim, int nHeads, int nLayers,
                        double dropRate, boolean qkvBias) {

    /** The notebook's {@code GPT_CONFIG_124M}. */
    public static final GptConfig GPT_CONFIG_124M = new GptConfig(50257, 1024, 768, 12, 12, 0.1, false);

    public GptConfig {
        requirePositive("vocabSize", vocabSize);
        requirePositive("contextLength", contextLength);
        requirePositive("embDim", embDim);
        requirePositive("nHeads", nHeads);
        requirePositive("nLayers", nLayers);
        if (embDim % nHeads != 0) {
            throw new IllegalArgumentException(
                    "embDim " + embDim + " is not divisible by nHeads " + nHeads);
        }
        if (!(dropRate >= 0 && dropRate < 1)) {
            throw new IllegalArgumentException("dropRate " + dropRate + " is outside [0, 1)");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " is " + value + ", must be >= 1");
        }
    }

    public int headDim() {
        return embDim / nHeads;
    }
}
