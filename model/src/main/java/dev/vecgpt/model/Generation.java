package dev.vecgpt.model;

import java.util.List;
import java.util.Objects;

/**
 * What {@link GptSession#generate} is asked for: at most {@code maxNewTokens} tokens, each chosen by
 * {@code sampling}, stopping early at any of {@code stopIds} (which is not appended, as the book's
 * {@code eos_id}).
 */
public record Generation(int maxNewTokens, Sampling sampling, List<Integer> stopIds) {

    /**
     * The most tokens, prompt and new ones, a generation returns: the longest {@code int[]} a JVM
     * allocates. The result grows with the tokens produced, so asking for many and stopping early
     * costs only what was produced.
     */
    public static final int MAX_TOKENS = Integer.MAX_VALUE - 8;

    public Generation {
        if (maxNewTokens < 0 || maxNewTokens >= MAX_TOKENS) {
            throw new IllegalArgumentException("maxNewTokens is " + maxNewTokens + ", must be 0 to "
                    + (MAX_TOKENS - 1) + " (a prompt and its new tokens are returned in one int[])");
        }
        Objects.requireNonNull(sampling, "sampling");
        stopIds = List.copyOf(stopIds);
    }

    /** Whether {@code id} is a stop id; unlike {@code stopIds().contains(id)}, boxes nothing. */
    public boolean stopsAt(int id) {
        for (int i = 0; i < stopIds.size(); i++) {
            if (stopIds.get(i) == id) {
                return true;
            }
        }
        return false;
    }

    /** {@code maxNewTokens} greedy tokens (the argmax of each step), no stop token. */
    public static Generation greedy(int maxNewTokens) {
        return new Generation(maxNewTokens, Sampling.greedy(), List.of());
    }

    /** {@code maxNewTokens} tokens drawn with {@code sampling}, no stop token. */
    public static Generation of(int maxNewTokens, Sampling sampling) {
        return new Generation(maxNewTokens, sampling, List.of());
    }

    /** The same, stopping when one of {@code ids} is chosen (e.g. {@link Tokenizer#END_OF_TEXT}). */
    public Generation stopAt(int... ids) {
        return new Generation(maxNewTokens, sampling, java.util.Arrays.stream(ids).boxed().toList());
    }
}
