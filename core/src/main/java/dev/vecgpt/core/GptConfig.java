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

    /** OpenAI's pretrained GPT-2 sizes (Hugging Face {@code gpt2}, {@code -medium}, {@code -large}, {@code -xl}): qkv bias on. */
    public static final GptConfig GPT2_124M = new GptConfig(50257, 1024, 768, 12, 12, 0.1, true);
    public static final GptConfig GPT2_355M = new GptConfig(50257, 1024, 1024, 16, 24, 0.1, true);
    public static final GptConfig GPT2_774M = new GptConfig(50257, 1024, 1280, 20, 36, 0.1, true);
    public static final GptConfig GPT2_1558M = new GptConfig(50257, 1024, 1600, 25, 48, 0.1, true);

    /** A pretrained size by its Hugging Face name: gpt2, gpt2-medium, gpt2-large or gpt2-xl. */
    public static GptConfig pretrained(String name) {
        return switch (name) {
            case "gpt2" -> GPT2_124M;
            case "gpt2-medium" -> GPT2_355M;
            case "gpt2-large" -> GPT2_774M;
            case "gpt2-xl" -> GPT2_1558M;
            default -> throw new IllegalArgumentException(
                    "unknown GPT-2 size '" + name + "': use gpt2, gpt2-medium, gpt2-large or gpt2-xl");
        };
    }

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
