package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.io.Npy;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.model.notebook.DummyGptModel;
import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;

/**
 * Does what the design notebook does: tokenizes two texts, builds {@code DummyGptModel} with seed
 * 123 and prints the logits as PyTorch would. {@link DemoCommand} is its command line.
 */
final class Demo {

    static final List<String> NOTEBOOK_TEXTS = List.of("Every effort moves you", "Every day holds a");

    /** The demo's options. */
    record Options(List<String> texts, long seed, boolean eval, Dropout.Mode dropoutMode, WeightFormat outHead,
                   Path saveLogits) {}

    private Demo() {}

    static void run(Options options, Kernels kernels, PrintWriter out, Progress progress) throws IOException {
        int[][] batch = new Tokenizer().encodeBatch(options.texts());
        out.println(TorchFormat.ints(batch));
        out.flush();
        Generate.BUILDS.incrementAndGet();
        DummyGptModel built;
        try (Progress.Task task = progress.start("building the model", 0)) {
            built = new DummyGptModel(GptConfig.GPT_CONFIG_124M, options.seed(), kernels, options.outHead());
        }
        try (DummyGptModel model = built; Arena arena = Arena.ofShared()) {
            model.dropoutMode(options.dropoutMode());
            if (options.eval()) {
                model.eval();
            }
            Tensor logits = model.forward(batch, arena);
            out.println("Output shape: " + logits.shape());
            out.println(TorchFormat.floats(logits));
            if (options.saveLogits() != null) {
                Npy.write(logits, options.saveLogits());
                out.println("Saved logits " + logits.shape() + " to " + options.saveLogits());
            }
            out.flush();
        }
    }
}
