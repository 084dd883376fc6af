package dev.vecgpt.spark;

import dev.vecgpt.core.WeightFormat;
import java.io.Serializable;
import java.util.Objects;

/**
 * What the Spark functions run: which checkpoint (a path every node can read, or a file shipped with
 * {@code --files}), how it is loaded, how texts are scored and how prompts are continued. Immutable and
 * serializable: it travels to the executors inside the tasks.
 *
 * @param checkpoint    a Hugging Face GPT-2 {@code model.safetensors} path every node can read, or null
 * @param sparkFile     the name of a checkpoint shipped with {@code --files} ({@code SparkFiles.get(name)}), or null;
 *                      ship its {@code config.json} with it
 * @param format        how the linear weights are stored in memory
 * @param threads       kernel threads per model, or 0 for {@code spark.task.cpus} (the driver: the JVM's default)
 * @param contextLength scoring window length (0: the model's context)
 * @param stride        tokens between window starts (0: the window length)
 * @param batch         windows per forward pass
 * @param maxTextChars  longer texts are not scored (an error row), so one huge row cannot stall a task
 * @param maxNewTokens  tokens generated per prompt
 * @param temperature   0 for greedy generation, else the sampling temperature
 * @param topK          0 for no top-k cut
 * @param topP          1 for no nucleus cut
 * @param seed          the sampling seed of rows without a seed of their own
 */
public record VecGptOptions(String checkpoint, String sparkFile, WeightFormat format, int threads,
                            int contextLength, int stride, int batch, int maxTextChars,
                            int maxNewTokens, float temperature, int topK, float topP, long seed)
        implements Serializable {

    public VecGptOptions {
        if ((checkpoint == null) == (sparkFile == null)) {
            throw new IllegalArgumentException("give exactly one of checkpoint (a path) and sparkFile (a name shipped with --files)");
        }
        Objects.requireNonNull(format, "format");
        if (threads < 0) {
            throw new IllegalArgumentException("threads is " + threads + ", must be >= 1 (or 0 for spark.task.cpus)");
        }
        if (contextLength < 0 || stride < 0 || batch < 1) {
            throw new IllegalArgumentException("scoring windows: context length " + contextLength + " and stride "
                    + stride + " must be >= 0 (0: default), batch " + batch + " must be >= 1");
        }
        if (maxTextChars < 1) {
            throw new IllegalArgumentException("maxTextChars is " + maxTextChars + ", must be >= 1");
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens is " + maxNewTokens + ", must be >= 0");
        }
        if (!(temperature >= 0) || topK < 0 || !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("sampling: temperature " + temperature + " must be >= 0, top-k "
                    + topK + " >= 0, top-p " + topP + " in (0, 1]");
        }
    }

    /** Float32 weights at {@code path}, full-context windows side by side, 20 greedy tokens per prompt. */
    public static VecGptOptions checkpoint(String path) {
        return new VecGptOptions(Objects.requireNonNull(path, "path"), null, WeightFormat.F32, 0,
                0, 0, 4, 1_000_000, 20, 0f, 0, 1f, 0L);
    }

    /** As {@link #checkpoint}, the weights shipped as {@code --files .../name} (with its config.json). */
    public static VecGptOptions sparkFile(String name) {
        return new VecGptOptions(null, Objects.requireNonNull(name, "name"), WeightFormat.F32, 0,
                0, 0, 4, 1_000_000, 20, 0f, 0, 1f, 0L);
    }

    public VecGptOptions withFormat(WeightFormat format) {
        return new VecGptOptions(checkpoint, sparkFile, format, threads, contextLength, stride, batch,
                maxTextChars, maxNewTokens, temperature, topK, topP, seed);
    }

    public VecGptOptions withThreads(int threads) {
        return new VecGptOptions(checkpoint, sparkFile, format, threads, contextLength, stride, batch,
                maxTextChars, maxNewTokens, temperature, topK, topP, seed);
    }

    /** ScoreWindows windows, as {@code dev.vecgpt.model.ScoreWindows}. */
    public VecGptOptions withWindows(int contextLength, int stride, int batch) {
        return new VecGptOptions(checkpoint, sparkFile, format, threads, contextLength, stride, batch,
                maxTextChars, maxNewTokens, temperature, topK, topP, seed);
    }

    public VecGptOptions withMaxTextChars(int maxTextChars) {
        return new VecGptOptions(checkpoint, sparkFile, format, threads, contextLength, stride, batch,
                maxTextChars, maxNewTokens, temperature, topK, topP, seed);
    }

    public VecGptOptions withMaxNewTokens(int maxNewTokens) {
        return new VecGptOptions(checkpoint, sparkFile, format, threads, contextLength, stride, batch,
                maxTextChars, maxNewTokens, temperature, topK, topP, seed);
    }

    /** Sampling as {@code Sampling.random(temperature, seed).withTopK(topK).withTopP(topP)}; temperature 0 is greedy. */
    public VecGptOptions withSampling(float temperature, int topK, float topP, long seed) {
        return new VecGptOptions(checkpoint, sparkFile, format, threads, contextLength, stride, batch,
                maxTextChars, maxNewTokens, temperature, topK, topP, seed);
    }
}
