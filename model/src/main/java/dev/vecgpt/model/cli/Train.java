package dev.vecgpt.model.cli;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.random.TorchGenerator;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.Tokenizer;
import dev.vecgpt.model.train.DataLoader;
import dev.vecgpt.model.train.LossPlot;
import dev.vecgpt.model.train.TokenWindows;
import dev.vecgpt.model.train.Trainer;
import dev.vecgpt.model.train.TrainingCheckpoint;
import dev.vecgpt.model.train.TrainingOptions;
import dev.vecgpt.model.train.TrainingText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * What {@code vecgpt train} does once its options are parsed: every input checked (texts long enough, a resumed
 * checkpoint of the same run) before the model is built, then the book's loop with its lines on standard output.
 */
final class Train {

    /** The training and validation texts, and how to name them in messages. */
    record Texts(String train, String val, String trainName, String valName) {

        /** One text split as the book splits it: the first 90 % of its characters for training. */
        static Texts split(Path file) throws IOException {
            String text = read(file, "--text");
            return new Texts(TrainingText.trainingPart(text), TrainingText.validationPart(text),
                    "the training part (first 90 %) of " + file, "the validation part (last 10 %) of " + file);
        }

        static Texts apart(Path train, Path val) throws IOException {
            return new Texts(read(train, "--train"), read(val, "--val"), "the training text " + train,
                    "the validation text " + val);
        }
    }

    /** Seconds the Ctrl-C handler waits for the current step to end. */
    private static final long STOP_WAIT_SECONDS = 120;

    private final CommandLine cli;
    private final TrainingOptions options;
    private final Texts texts;
    private final long seed;
    private final Path weights;
    private final Path resume;
    private final Path save;
    private final Path plot;
    private final boolean contextGiven;
    private final Kernels kernels;
    private final PrintWriter out;
    private final PrintWriter err;

    Train(CommandLine cli, TrainingOptions options, Texts texts, long seed, Path weights, Path resume, Path save,
          Path plot, boolean contextGiven, Kernels kernels) {
        this.cli = cli;
        this.options = options;
        this.texts = texts;
        this.seed = seed;
        this.weights = weights;
        this.resume = resume;
        this.save = save;
        this.plot = plot;
        this.contextGiven = contextGiven;
        this.kernels = kernels;
        this.out = cli.getOut();
        this.err = cli.getErr();
    }

    private static String read(Path file, String option) throws IOException {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IOException(option + ": no such file: " + file);
        } catch (CharacterCodingException e) {
            throw new IOException(option + ": " + file + " is not UTF-8 text");
        }
    }

    void run() throws IOException {
        Path checkpoint = resume != null ? resume : weights;
        GptConfig config = checkpoint == null ? Generate.randomConfig(options.contextLength())
                : GptModel.config(checkpoint);
        TrainingOptions o = options;
        if (checkpoint != null && o.contextLength() > config.contextLength()) {
            if (contextGiven) {
                throw usage("--context-length " + o.contextLength() + ": longer than the context "
                        + config.contextLength() + " of " + checkpoint);
            }
            int l = config.contextLength();
            o = new TrainingOptions(o.epochs(), o.batch(), l, o.stride() == options.contextLength() ? l : o.stride(),
                    o.lr(), o.weightDecay(), o.maxGradNorm(), o.evalFreq(), o.evalIter(), o.startContext(),
                    o.sampleTokens(), o.dropoutMode());
        }
        Tokenizer tokenizer = new Tokenizer();
        DataLoader train = DataLoader.training(windows(tokenizer, texts.train(), o), o.batch());
        DataLoader val = DataLoader.validation(windows(tokenizer, texts.val(), o), o.batch());
        if (train.batchCount() == 0) {
            throw usage(Trainer.notEnough(texts.trainName(), train));
        }
        if (val.batchCount() == 0) {
            err.println("vecgpt: warning: " + Trainer.notEnough(texts.valName(), val) + "; the validation loss is nan");
        }
        String run = TrainingCheckpoint.runKey(config, o, train, val);
        if (resume != null) {
            String problem = TrainingCheckpoint.mismatch(resume, run);
            if (problem != null) {
                throw usage("--resume: " + problem);
            }
        }
        long start = System.nanoTime();
        ModelOptions modelOptions = ModelOptions.DEFAULT.withKernels(kernels);
        try (GptModel model = checkpoint == null ? new GptModel(config, seed, modelOptions)
                : GptModel.load(checkpoint, modelOptions)) {
            TorchGenerator generator = resume != null ? TrainingCheckpoint.generator(resume)
                    : weights != null ? new TorchGenerator(seed) : model.generatorAfterInit();
            try (Trainer trainer = new Trainer(model, train, val, generator, o)) {
                if (resume != null) {
                    TrainingCheckpoint.restore(resume, trainer, run);
                    err.printf(Locale.ROOT, "resuming after epoch %d (step %d)%n", trainer.epochsDone(),
                            trainer.globalStep());
                }
                err.printf(Locale.ROOT, "training %,d parameters on %d + %d windows of %d tokens, %d batches per "
                                + "epoch, %d epochs (built in %.1f s)%n", model.parameterCount(),
                        train.windows().size(), val.windows().size(), o.contextLength(), train.batchCount(),
                        o.epochs(), seconds(System.nanoTime() - start));
                train(trainer, run);
            }
        }
    }

    private void train(Trainer trainer, String run) throws IOException {
        CountDownLatch done = new CountDownLatch(1);
        Thread onCtrlC = new Thread(() -> {
            trainer.stop();
            try {
                done.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vecgpt-train-stop");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        long start = System.nanoTime();
        int firstStep = trainer.globalStep() + 1;
        try {
            trainer.train(new Trainer.Listener() {
                long last = System.nanoTime();

                @Override
                public void stepped(int epoch, int step, float loss, long tokensSeen) {
                    long now = System.nanoTime();
                    err.printf(Locale.ROOT, "epoch %d step %d: loss %.4f, %,d tokens seen, %.2f s%n", epoch, step,
                            loss, tokensSeen, seconds(now - last));
                    last = now;
                }

                @Override
                public void evaluated(Trainer.Evaluation e) {
                    out.println(e.bookLine());
                    out.flush();
                    last = System.nanoTime();
                }

                @Override
                public void sampled(int epoch, String text) {
                    out.println(text);
                    out.flush();
                }

                @Override
                public void epochEnded(int epoch) {
                    if (save != null) {
                        try {
                            TrainingCheckpoint.save(save, trainer, run);
                            err.println("saved " + save + " after epoch " + epoch);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    last = System.nanoTime();
                }
            });
            if (plot != null && !trainer.evaluations().isEmpty()) {
                LossPlot.write(plot, trainer.evaluations(), trainer.options().epochs());
            }
            Trainer.Timings t = trainer.timings();
            int steps = trainer.globalStep() + 1 - firstStep;
            err.printf(Locale.ROOT, "%s %d steps in %.1f s: %.2f s per step (forward and backward %.2f s, AdamW %.3f s);"
                            + " evaluations %.1f s, samples %.1f s%n", trainer.stopped() ? "stopped after" : "trained",
                    steps, seconds(System.nanoTime() - start), seconds(t.forwardBackward() + t.optimizer()) / Math.max(1, steps),
                    seconds(t.forwardBackward()) / Math.max(1, steps), seconds(t.optimizer()) / Math.max(1, steps),
                    seconds(t.evaluation()), seconds(t.sampling()));
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and returns now
            }
        }
    }

    private static TokenWindows windows(Tokenizer tokenizer, String text, TrainingOptions o) {
        return new TokenWindows(TrainingText.encode(tokenizer, text), o.contextLength(), o.stride());
    }

    private ParameterException usage(String message) {
        return new ParameterException(cli, message);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
