package dev.vecgpt.model;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.WeightFormat;
import java.util.Objects;

/**
 * How a {@link GptModel} is built or loaded: how its linear weights are stored, which kernels run it
 * and on how many threads.
 *
 * @param format  the linear layers' weight format ({@link WeightFormat#F32} by default)
 * @param kernels the kernels, or null for {@link KernelProvider#kernels()}
 * @param threads threads of the model's kernels, or 0 for the kernels' own count; another count gives
 *                the model kernels of its own, released when it is closed
 */
public record ModelOptions(WeightFormat format, Kernels kernels, int threads) {

    /** Float32 weights on the JVM's default kernels. */
    public static final ModelOptions DEFAULT = new ModelOptions(WeightFormat.F32, null, 0);

    public ModelOptions {
        Objects.requireNonNull(format, "format");
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", must be >= 1 (or 0 for the default)");
        }
    }

    public ModelOptions withFormat(WeightFormat format) {
        return new ModelOptions(format, kernels, threads);
    }

    public ModelOptions withKernels(Kernels kernels) {
        return new ModelOptions(format, kernels, threads);
    }

    public ModelOptions withThreads(int threads) {
        return new ModelOptions(format, kernels, threads);
    }

    /** The kernels these options name (not yet limited to {@link #threads}). */
    Kernels baseKernels() {
        return kernels == null ? KernelProvider.kernels() : kernels;
    }
}
