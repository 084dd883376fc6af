package dev.vecgpt.model.cli;

import dev.vecgpt.model.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code vecgpt train}: the book's chapter-5 pretraining loop ({@code train_model_simple}) on a text. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        showDefaultValues = true, sortOptions = false,
        description = {"Trains GPT-2 as the book's chapter 5 does: AdamW on windows of a text, evaluations of the "
                + "training and validation loss, a greedy sample after each epoch.",
                "Without --weights or --resume the model is the book's GPTModel (124M, context --context-length) "
                        + "seeded with --seed. The book's losses and samples go to standard output, progress and "
                        + "timing to standard error. Ctrl-C stops after the current step; a --save checkpoint, "
                        + "written after each epoch, is replaced only by a complete one.", ""})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ThreadsOption threads;

    static final class Texts {
        @Option(names = "--text", paramLabel = "FILE", required = true, order = 1,
                description = "a UTF-8 text: its first 90 % of characters for training, the rest for validation")
        Path text;

        @ArgGroup(exclusive = false)
        Apart apart;
    }

    static final class Apart {
        @Option(names = "--train", paramLabel = "FILE", required = true, order = 2, description = "the training text")
        Path train;

        @Option(names = "--val", paramLabel = "FILE", required = true, order = 3, description = "the validation text")
        Path val;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Texts texts;

    int epochs = 10;
    int batch = 2;
    int contextLength = 256;
    int stride;
    double lr = 4e-4;
    double weightDecay = 0.1;
    double maxGradNorm;
    int evalFreq = 5;
    int evalIter = 5;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", order = 4, description = "passes over the training text")
    void epochs(int n) {
        epochs = atLeastOne("--epochs", n);
    }

    @Option(names = "--batch", paramLabel = "B", defaultValue = "2", order = 5, description = "windows per step")
    void batch(int b) {
        if (b < 1 || b > 1024) {
            throw new ParameterException(spec.commandLine(), "--batch " + b + ": must be 1 to 1024");
        }
        batch = b;
    }

    @Option(names = "--context-length", paramLabel = "L", defaultValue = "256", order = 6,
            description = "tokens per window, and the seeded model's context (a checkpoint's own context at most)")
    void contextLength(int n) {
        if (n < 1 || n > 1024) {
            throw new ParameterException(spec.commandLine(), "--context-length " + n + ": must be 1 to 1024");
        }
        contextLength = n;
    }

    @Option(names = "--stride", paramLabel = "S", order = 7, description = "tokens between windows (default: L)")
    void stride(int s) {
        stride = atLeastOne("--stride", s);
    }

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "4e-4", order = 8, description = "AdamW's learning rate")
    void lr(double rate) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new ParameterException(spec.commandLine(), "--lr " + rate + ": must be a number > 0");
        }
        lr = rate;
    }

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0.1", order = 9,
            description = "AdamW's decoupled weight decay, on every parameter")
    void weightDecay(double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new ParameterException(spec.commandLine(), "--weight-decay " + w + ": must be a number >= 0");
        }
        weightDecay = w;
    }

    @Option(names = "--max-grad-norm", paramLabel = "N", order = 10,
            description = "clip the gradients to this global L2 norm before each update (default: no clipping)")
    void maxGradNorm(double n) {
        if (!(n > 0) || Double.isInfinite(n)) {
            throw new ParameterException(spec.commandLine(), "--max-grad-norm " + n + ": must be a number > 0");
        }
        maxGradNorm = n;
    }

    @Option(names = "--eval-freq", paramLabel = "N", defaultValue = "5", order = 11,
            description = "evaluate after every N-th step")
    void evalFreq(int n) {
        evalFreq = atLeastOne("--eval-freq", n);
    }

    @Option(names = "--eval-iter", paramLabel = "N", defaultValue = "5", order = 12,
            description = "batches of each text an evaluation reads")
    void evalIter(int n) {
        evalIter = atLeastOne("--eval-iter", n);
    }

    @Option(names = "--seed", paramLabel = "N", defaultValue = "123", order = 13,
            description = "torch.manual_seed(N) before building the model (with --weights: before training)")
    long seed;

    @Option(names = "--dropout-mode", paramLabel = "MODE", converter = DemoCommand.DropoutModes.class,
            defaultValue = "x86-mkl", order = 14,
            description = "which PyTorch dropout masks to draw: x86-mkl (PyTorch's x86 wheels) or portable (builds "
                    + "without MKL, e.g. the book's Mac: use it to get the book's numbers)")
    DemoCommand.DropoutMode dropoutMode;

    @Option(names = "--start-context", paramLabel = "TEXT", defaultValue = "Every effort moves you", order = 15,
            description = "the prompt of each epoch's 50-token greedy sample")
    String startContext;

    @Option(names = "--weights", paramLabel = "FILE", order = 16,
            description = "fine-tune this checkpoint (a Hugging Face GPT-2 model.safetensors or a --save file)")
    void weights(Path file) {
        String problem = Checkpoints.problem(file);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), "--weights: " + problem);
        }
        weights = file;
    }

    Path weights;

    @Option(names = "--save", paramLabel = "FILE", order = 17,
            description = "after each epoch, write the model and the optimizer's state to this safetensors file "
                    + "(generate and score read it with --weights; train continues it with --resume)")
    void save(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), "--save " + file + ": no such directory " + dir);
        }
        if (!Files.isWritable(dir)) {
            throw new ParameterException(spec.commandLine(), "--save " + file + ": cannot write in " + dir);
        }
        if (Files.isDirectory(file)) {
            throw new ParameterException(spec.commandLine(), "--save " + file + ": is a directory");
        }
        save = file;
    }

    Path save;

    @Option(names = "--resume", paramLabel = "FILE", order = 18,
            description = "continue the run that wrote this --save checkpoint (same texts and options; "
                    + "--epochs may be raised)")
    void resume(Path file) {
        String problem = Checkpoints.problem(file);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), "--resume: " + problem);
        }
        resume = file;
    }

    Path resume;

    @Option(names = "--plot", paramLabel = "FILE.svg", order = 19,
            description = "draw the losses against epochs and tokens seen (the book's plot_losses) as SVG")
    void plot(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), "--plot " + file + ": no such directory " + dir);
        }
        plot = file;
    }

    Path plot;

    private int atLeastOne(String option, int n) {
        if (n < 1) {
            throw new ParameterException(spec.commandLine(), option + " " + n + ": must be 1 or more");
        }
        return n;
    }

    TrainingOptions options() {
        if (weights != null && resume != null) {
            throw new ParameterException(spec.commandLine(), "--weights and --resume: a resumed run has its weights");
        }
        return new TrainingOptions(epochs, batch, contextLength, stride == 0 ? contextLength : stride, lr, weightDecay,
                maxGradNorm, evalFreq, evalIter, startContext, 50, dropoutMode.mode);
    }

    @Override
    public Integer call() throws Exception {
        Train.Texts source;
        try {
            source = texts.text != null ? Train.Texts.split(texts.text)
                    : Train.Texts.apart(texts.apart.train, texts.apart.val);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        new Train(spec.commandLine(), options(), source, seed, weights, resume, save, plot,
                spec.commandLine().getParseResult().hasMatchedOption("--context-length"), threads.kernels())
                .run();
        return 0;
    }
}
