package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.io.Npy;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.model.notebook.DummyGptModel;
import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Does what the design notebook does: tokenizes two texts, builds {@code DummyGptModel} with seed
 * 123 and prints the logits as PyTorch would.
 *
 * <pre>
 * Demo [--eval] [--seed N] [--dropout-mode x86-mkl|portable] [--bf16] [--save-logits FILE.npy] [TEXT...]
 * </pre>
 */
final class Demo {

    static final List<String> NOTEBOOK_TEXTS = List.of("Every effort moves you", "Every day holds a");

    /** The demo's options, parsed from the command line. */
    record Options(List<String> texts, long seed, boolean eval, Dropout.Mode dropoutMode, WeightFormat outHead,
                   Path saveLogits) {

        static Options parse(String... args) {
            List<String> texts = new ArrayList<>();
            long seed = 123;
            boolean eval = false;
            Dropout.Mode mode = Dropout.Mode.X86_MKL;
            WeightFormat outHead = WeightFormat.F32;
            Path saveLogits = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--eval" -> eval = true;
                    case "--bf16" -> outHead = WeightFormat.BF16;
                    case "--save-logits" -> saveLogits = Path.of(value(args, ++i, "--save-logits"));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, "--seed"));
                    case "--dropout-mode" -> mode = switch (value(args, ++i, "--dropout-mode")) {
                        case "x86-mkl" -> Dropout.Mode.X86_MKL;
                        case "portable" -> Dropout.Mode.PORTABLE;
                        default -> throw new IllegalArgumentException(
                                "--dropout-mode " + args[i] + ": use x86-mkl or portable");
                    };
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        texts.add(args[i]);
                    }
                }
            }
            return new Options(texts.isEmpty() ? NOTEBOOK_TEXTS : texts, seed, eval, mode, outHead, saveLogits);
        }

        static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }

    private Demo() {}

    static void run(Options options, PrintStream out) throws IOException {
        Kernels kernels = KernelProvider.kernels();
        int[][] batch = new Tokenizer().encodeBatch(options.texts());
        out.println(TorchFormat.ints(batch));
        try (DummyGptModel model = new DummyGptModel(GptConfig.GPT_CONFIG_124M, options.seed(), kernels, options.outHead());
             Arena arena = Arena.ofShared()) {
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
        }
    }
}
