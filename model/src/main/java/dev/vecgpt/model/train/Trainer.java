package dev.vecgpt.model.train;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.TorchGenerator;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.Tokenizer;
import dev.vecgpt.model.TrainingPass;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The book's {@code train_model_simple}: per epoch, one pass over the training loader, each step
 * {@code zero_grad}, forward and backward in train mode (dropout drawn from the global generator), AdamW's update;
 * after every {@code evalFreq}-th step an evaluation in eval mode over the first {@code evalIter} batches of each
 * loader ({@code calc_loss_loader}); after each epoch a greedy sample of the start context. Every draw comes from
 * one generator in PyTorch's order (loader passes, then dropout masks), so a run on the book's seeded model
 * reproduces PyTorch's.
 *
 * <p>The trainer owns its training pass and optimizer (close it); the model is the caller's and, after training, holds
 * the trained weights. {@link #stop()} from another thread ends {@link #train} after the current step.
 */
public final class Trainer implements AutoCloseable {

    /**
     * One evaluation: the mean losses over the first {@code evalIter} batches of each loader, and the tokens the
     * training had seen.
     */
    public record Evaluation(int epoch, int step, double trainLoss, double valLoss, long tokensSeen) {

        /** The book's line, e.g. {@code Ep 1 (Step 000000): Train loss 9.781, Val loss 9.933}. */
        public String bookLine() {
            return String.format("Ep %d (Step %06d): Train loss %s, Val loss %s", epoch, step, threeDecimals(trainLoss),
                    threeDecimals(valLoss));
        }

        /** As Python's {@code f"{x:.3f}"}: the double's exact value rounded half to even. */
        static String threeDecimals(double x) {
            return Double.isFinite(x) ? new BigDecimal(x).setScale(3, RoundingMode.HALF_EVEN).toPlainString()
                    : Double.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
        }
    }

    /** What a run reports as it goes; every method is optional. */
    public interface Listener {
        /** After each optimizer step: the step's training loss (train mode, with dropout). */
        default void stepped(int epoch, int step, float loss, long tokensSeen) {}

        default void evaluated(Evaluation evaluation) {}

        /** After each epoch: its sample, newlines replaced by spaces as the book prints it. */
        default void sampled(int epoch, String text) {}

        /** After each epoch, once its sample is printed: the place for a checkpoint. */
        default void epochEnded(int epoch) {}
    }

    private final GptModel model;
    private final TrainingPass pass;
    private final AdamW optimizer;
    private final DataLoader trainLoader;
    private final DataLoader valLoader;
    private final TorchGenerator generator;
    private final Tokenizer tokenizer;
    private final TrainingOptions options;
    private final List<Evaluation> evaluations = new ArrayList<>();
    private int epochsDone;
    private int globalStep = -1;
    private long tokensSeen;
    private volatile boolean stopRequested;
    private long forwardBackwardNanos;
    private long optimizerNanos;
    private long evalNanos;
    private long sampleNanos;

    /** Where the time of {@link #train} went, in nanoseconds, summed over the calls so far. */
    public record Timings(long forwardBackward, long optimizer, long evaluation, long sampling) {}

    /**
     * A trainer of {@code model} on the two loaders, drawing from {@code generator} (PyTorch's global generator:
     * for the book's run, the model's generator as its initialization left it).
     */
    public Trainer(GptModel model, DataLoader trainLoader, DataLoader valLoader, TorchGenerator generator,
                   TrainingOptions options) {
        this.model = Objects.requireNonNull(model, "model");
        this.trainLoader = Objects.requireNonNull(trainLoader, "training loader");
        this.valLoader = Objects.requireNonNull(valLoader, "validation loader");
        this.generator = Objects.requireNonNull(generator, "generator");
        this.options = Objects.requireNonNull(options, "options");
        this.tokenizer = new Tokenizer();
        if (trainLoader.batchCount() == 0) {
            throw new IllegalArgumentException(notEnough("the training text", trainLoader));
        }
        int context = trainLoader.windows().maxLength();
        if (context > model.config().contextLength()) {
            throw new IllegalArgumentException("windows of " + context + " tokens are longer than the model's context "
                    + model.config().contextLength());
        }
        this.pass = model.newTrainingPass(trainLoader.batchSize(), context);
        List<Tensor> values = new ArrayList<>();
        List<Tensor> grads = new ArrayList<>();
        for (TrainingPass.Parameter p : pass.parameters()) {
            values.add(p.value());
            grads.add(p.grad());
        }
        try {
            this.optimizer = new AdamW(values, grads, options.adamW());
        } catch (RuntimeException e) {
            pass.close();
            throw e;
        }
    }

    /**
     * The book's set-up on one text: the first 90 % of its characters for training, the rest for validation,
     * windows of {@code options.contextLength()} tokens every {@code options.stride()}, a shuffled training loader
     * that drops a last partial batch and an ordered validation loader that keeps it; dropout drawn from the
     * generator the model's initialization left (the book's {@code torch.manual_seed(123)} before
     * {@code GPTModel(cfg)}).
     */
    public static Trainer onText(GptModel model, String text, TrainingOptions options) {
        return onTexts(model, TrainingText.trainingPart(text), TrainingText.validationPart(text), options);
    }

    /** {@link #onText} with the training and validation texts given apart. */
    public static Trainer onTexts(GptModel model, String trainText, String valText, TrainingOptions options) {
        Tokenizer tokenizer = new Tokenizer();
        DataLoader train = DataLoader.training(windows(tokenizer, trainText, options), options.batch());
        DataLoader val = DataLoader.validation(windows(tokenizer, valText, options), options.batch());
        return new Trainer(model, train, val, model.generatorAfterInit(), options);
    }

    private static TokenWindows windows(Tokenizer tokenizer, String text, TrainingOptions options) {
        return new TokenWindows(TrainingText.encode(tokenizer, text), options.contextLength(), options.stride());
    }

    /** The message for a loader without a batch: how many tokens its text has and how many one batch needs. */
    public static String notEnough(String text, DataLoader loader) {
        TokenWindows w = loader.windows();
        return text + " has " + w.tokenCount() + " tokens, fewer than the " + loader.tokensForOneBatch()
                + " that one batch of " + loader.batchSize() + " windows of " + w.maxLength() + " tokens (stride "
                + w.stride() + ") needs";
    }

    public GptModel model() {
        return model;
    }

    public TrainingOptions options() {
        return options;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public TrainingPass pass() {
        return pass;
    }

    /** The generator every draw comes from. */
    public TorchGenerator generator() {
        return generator;
    }

    /** The evaluations so far. */
    public List<Evaluation> evaluations() {
        return List.copyOf(evaluations);
    }

    public int epochsDone() {
        return epochsDone;
    }

    /** The book's {@code global_step}: steps taken minus one. */
    public int globalStep() {
        return globalStep;
    }

    public long tokensSeen() {
        return tokensSeen;
    }

    /** Restores the progress of a run that was checkpointed after epoch {@code epochsDone}. */
    public void restore(int epochsDone, int globalStep, long tokensSeen, List<Evaluation> evaluations) {
        if (epochsDone < 0 || globalStep < -1 || tokensSeen < 0) {
            throw new IllegalArgumentException("bad progress: epochs " + epochsDone + ", step " + globalStep
                    + ", tokens " + tokensSeen);
        }
        this.epochsDone = epochsDone;
        this.globalStep = globalStep;
        this.tokensSeen = tokensSeen;
        this.evaluations.clear();
        this.evaluations.addAll(evaluations);
    }

    public Timings timings() {
        return new Timings(forwardBackwardNanos, optimizerNanos, evalNanos, sampleNanos);
    }

    /** Asks a running {@link #train} to return after its current step. */
    public void stop() {
        stopRequested = true;
    }

    /** True if the last {@link #train} returned early because {@link #stop()} was called. */
    public boolean stopped() {
        return stopRequested;
    }

    /** Trains the remaining epochs ({@code options.epochs()} in all); returns every evaluation. */
    public List<Evaluation> train(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        while (epochsDone < options.epochs() && !stopRequested) {
            int epoch = epochsDone + 1;
            for (Iterator<Batch> it = trainLoader.iterate(generator); it.hasNext(); ) {
                Batch b = it.next();
                long t0 = System.nanoTime();
                pass.zeroGrad();
                float loss = pass.forwardBackward(b.inputs(), b.targets(), generator, options.dropoutMode());
                long t1 = System.nanoTime();
                if (options.maxGradNorm() > 0) {
                    optimizer.clipGradNorm(options.maxGradNorm());
                }
                optimizer.step();
                long t2 = System.nanoTime();
                forwardBackwardNanos += t1 - t0;
                optimizerNanos += t2 - t1;
                tokensSeen += b.tokens();
                globalStep++;
                listener.stepped(epoch, globalStep, loss, tokensSeen);
                if (globalStep % options.evalFreq() == 0) {
                    long t3 = System.nanoTime();
                    Evaluation e = new Evaluation(epoch, globalStep, meanLoss(trainLoader), meanLoss(valLoader),
                            tokensSeen);
                    evalNanos += System.nanoTime() - t3;
                    evaluations.add(e);
                    listener.evaluated(e);
                }
                if (stopRequested) {
                    return evaluations();
                }
            }
            long t4 = System.nanoTime();
            model.weightsChanged();
            String sample = sample();
            sampleNanos += System.nanoTime() - t4;
            listener.sampled(epoch, sample);
            epochsDone++;
            listener.epochEnded(epoch);
        }
        return evaluations();
    }

    /**
     * {@code calc_loss_loader(loader, model, num_batches=evalIter)} in eval mode: a pass over the loader (with its
     * draws) and the mean of the first batches' losses, summed in double as Python's float does; NaN if the loader
     * has no batch.
     */
    double meanLoss(DataLoader loader) {
        if (loader.batchCount() == 0) {
            return Double.NaN;
        }
        int batches = Math.min(options.evalIter(), loader.batchCount());
        Iterator<Batch> it = loader.iterate(generator);
        double total = 0;
        for (int i = 0; i < batches; i++) {
            total += batchLoss(it.next());
        }
        return total / batches;
    }

    /**
     * {@code calc_loss_batch} in eval mode. A last partial batch is padded to the pass's shape with ignored targets,
     * which leave the mean over the real rows as it is.
     */
    private float batchLoss(Batch b) {
        if (b.rows() == pass.batch()) {
            return pass.loss(b.inputs(), b.targets());
        }
        int n = pass.batch() * pass.length();
        int[] inputs = Arrays.copyOf(b.inputs(), n);
        int[] targets = Arrays.copyOf(b.targets(), n);
        Arrays.fill(targets, b.tokens(), n, Kernels.IGNORE_INDEX);
        return pass.loss(inputs, targets);
    }

    /** The book's {@code generate_and_print_sample}: greedy tokens after the start context, newlines as spaces. */
    public String sample() {
        int[] prompt = TrainingText.encode(tokenizer, options.startContext());
        if (prompt.length == 0 || options.sampleTokens() == 0) {
            return options.startContext().replace("\n", " ");
        }
        try (GptSession session = model.newSession()) {
            int[] out = session.generate(prompt, Generation.greedy(options.sampleTokens()));
            return tokenizer.decode(out).replace("\n", " ");
        }
    }

    @Override
    public void close() {
        try {
            optimizer.close();
        } finally {
            pass.close();
        }
    }
}
