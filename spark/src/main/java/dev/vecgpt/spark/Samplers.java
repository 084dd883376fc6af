package dev.vecgpt.spark;

import dev.vecgpt.model.Sampling;

/** A row's {@link Sampling}: the options' settings with the row's own seed, so that results do not depend on partitions. */
final class Samplers {

    private Samplers() {
    }

    static Sampling of(VecGptOptions options, long seed) {
        if (options.temperature() == 0) {
            return Sampling.greedy().withSeed(seed); // greedy draws nothing: the seed is kept only for the record
        }
        return Sampling.random(options.temperature(), seed).withTopK(options.topK()).withTopP(options.topP());
    }
}
