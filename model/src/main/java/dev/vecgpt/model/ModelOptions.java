package dev.vecgpt.model;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.WeightFormat;
import java.util.Objects;

/**
 * How a {@link GptModel} is built or loaded: how its linear weights are stored, which kernels run it
 * and on how many threads, whether to warm the kernels up meanwhile, and whom to tell how far it got.
 *
 * @param format   the linear layers' weight format ({@link WeightFormat#F32} by default)
 * @param kernels  the kernels, or null for {@link KernelProvider#kernels()}
 * @param threads  threads of the model's kernels, or 0 for the kernels' own count; another count gives
 *                 the model kernels of its own, released when it is closed
 * @param progress told of each step of the build, or null
 * @param warmUp   whether building also runs the warm-up (off by default): while the weights are read or
 *                 drawn, a second thread runs GPT-2 in miniature on the same kernels, so that the JIT has
 *                 compiled them before the first prompt; the model is returned once both are done
 */
public record ModelOptions(WeightFormat format, Kernels kernels, int threads, Progress progress, boolean warmUp) {

    /** Float32 weights on the JVM's default kernels, no warm-up, no progress. */
    public static final ModelOptions DEFAULT = new ModelOptions(WeightFormat.F32, null, 0, null, false);

    /**
     * How far building a model is: {@code done} of {@code total} steps (one per parameter read or drawn,
     * and the warm-up's rounds when it runs). Called from the building thread and the warm-up's, one call
     * at a time, {@code done} rising by one each call up to {@code total}; keep it quick.
     */
    @FunctionalInterface
    public interface Progress {
        void step(int done, int total);
    }

    public ModelOptions {
        Objects.requireNonNull(format, "format");
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", must be >= 1 (or 0 for the default)");
        }
    }

    public ModelOptions(WeightFormat format, Kernels kernels, int threads) {
        this(format, kernels, threads, null, false);
    }

    public ModelOptions withFormat(WeightFormat format) {
        return new ModelOptions(format, kernels, threads, progress, warmUp);
    }

    public ModelOptions withKernels(Kernels kernels) {
        return new ModelOptions(format, kernels, threads, progress, warmUp);
    }

    public ModelOptions withThreads(int threads) {
        return new ModelOptions(format, kernels, threads, progress, warmUp);
    }

    public ModelOptions withProgress(Progress progress) {
        return new ModelOptions(format, kernels, threads, progress, warmUp);
    }

    /** With the warm-up, for a fresh JVM whose first prompt should not wait for the JIT (what the command line does). */
    public ModelOptions withWarmUp(boolean warmUp) {
        return new ModelOptions(format, kernels, threads, progress, warmUp);
    }

    /** The kernels these options name (not yet limited to {@link #threads}). */
    Kernels baseKernels() {
        return kernels == null ? KernelProvider.kernels() : kernels;
    }
}
