package dev.vecgpt.model.cli;

import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.random.Dropout;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vecgpt demo}: the design notebook's cell, printed as PyTorch prints it. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        showDefaultValues = true, sortOptions = false,
        description = {"The design notebook's cell: token ids and logits, printed as PyTorch prints them.",
                "Tokenizes the texts, builds the notebook's DummyGPTModel (GPT-2 124M sizes) with the seed and "
                        + "prints the token ids, the logits' shape and the logits as PyTorch's print does.", ""})
final class DemoCommand implements Callable<Integer> {

    /** PyTorch's two dropout flavours, by their command-line names. */
    enum DropoutMode {
        x86_mkl(Dropout.Mode.X86_MKL), portable(Dropout.Mode.PORTABLE);

        final Dropout.Mode mode;

        DropoutMode(Dropout.Mode mode) {
            this.mode = mode;
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--seed", paramLabel = "N", description = "torch.manual_seed(N) before building the model")
    long seed = 123;

    @Option(names = "--eval", description = "dropout off (the notebook runs the model in training mode)")
    boolean eval;

    @Option(names = "--dropout-mode", paramLabel = "MODE", converter = DropoutModes.class, defaultValue = "x86-mkl",
            description = "which PyTorch dropout mask to draw: x86-mkl (x86 wheels with MKL, the notebook's) "
                    + "or portable (builds without MKL)")
    DropoutMode dropoutMode;

    @Option(names = "--bf16", description = "store out_head as bfloat16")
    boolean bf16;

    @Option(names = "--save-logits", paramLabel = "FILE.npy",
            description = "also write the [B, T, 50257] logits as a NumPy <f4 array")
    Path saveLogits;

    @Parameters(paramLabel = "TEXT", arity = "0..*", showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
            description = "the texts to encode, all of the same number of tokens (default: the notebook's two)")
    List<String> texts = List.of();

    Demo.Options options() {
        for (String text : texts) {
            if (text.isEmpty()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a TEXT is empty");
            }
        }
        if (saveLogits != null) {
            Path dir = saveLogits.toAbsolutePath().getParent();
            if (dir != null && !java.nio.file.Files.isDirectory(dir)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--save-logits " + saveLogits + ": no such directory: " + dir);
            }
        }
        return new Demo.Options(texts.isEmpty() ? Demo.NOTEBOOK_TEXTS : texts, seed, eval, dropoutMode.mode,
                bf16 ? WeightFormat.BF16 : WeightFormat.F32, saveLogits);
    }

    @Override
    public Integer call() throws Exception {
        Demo.Options options = options();
        Demo.run(options, threads.kernels(), spec.commandLine().getOut(),
                Progress.onTerminal(spec.commandLine().getErr()));
        return 0;
    }

    /** {@code x86-mkl} and {@code portable}, as the notebook spells them. */
    static final class DropoutModes implements picocli.CommandLine.ITypeConverter<DropoutMode> {
        @Override
        public DropoutMode convert(String value) {
            return switch (value) {
                case "x86-mkl" -> DropoutMode.x86_mkl;
                case "portable" -> DropoutMode.portable;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not x86-mkl or portable");
            };
        }
    }
}
