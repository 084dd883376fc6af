package dev.vecgpt.model.train;

import dev.vecgpt.core.random.Dropout;
import java.util.Objects;

/**
 * The settings of a training run, the book's chapter-5 ones by default ({@link #book()}).
 *
 * @param epochs        passes over the training data
 * @param batch         windows per step
 * @param contextLength tokens per window (the book's {@code max_length}), at most the model's context
 * @param stride        tokens between window starts
 * @param lr            AdamW's learning rate
 * @param weightDecay   AdamW's decoupled weight decay, on every parameter
 * @param maxGradNorm   clip the gradients to this global L2 norm before each update; 0 for no clipping (the book's
 *                      chapter 5 does not clip, its appendix D does)
 * @param evalFreq      evaluate after every {@code evalFreq}-th step (steps counted from 0)
 * @param evalIter      batches of each loader an evaluation reads
 * @param startContext  the prompt of each epoch's greedy sample
 * @param sampleTokens  tokens generated after it
 * @param dropoutMode   how dropout draws its masks (PyTorch's x86 wheels, or builds without MKL as the book's Mac)
 */
public record TrainingOptions(int epochs, int batch, int contextLength, int stride, double lr, double weightDecay,
                              double maxGradNorm, int evalFreq, int evalIter, String startContext, int sampleTokens,
                              Dropout.Mode dropoutMode) {

    public TrainingOptions {
        positive("epochs", epochs);
        positive("batch", batch);
        positive("context length", contextLength);
        positive("stride", stride);
        positive("eval frequency", evalFreq);
        positive("eval iterations", evalIter);
        if (sampleTokens < 0) {
            throw new IllegalArgumentException("sample tokens must be >= 0, got " + sampleTokens);
        }
        if (!(maxGradNorm >= 0) || Double.isInfinite(maxGradNorm)) {
            throw new IllegalArgumentException("max gradient norm must be a finite number >= 0, got " + maxGradNorm);
        }
        AdamW.Settings.of(lr, weightDecay); // checks both
        Objects.requireNonNull(startContext, "start context");
        Objects.requireNonNull(dropoutMode, "dropout mode");
    }

    private static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + value);
        }
    }

    /**
     * The book's run: 10 epochs, batch 2, context and stride 256, AdamW lr 4e-4 and weight decay 0.1, evaluation
     * every 5 steps over 5 batches, 50 greedy tokens after "Every effort moves you", portable dropout masks
     * (PyTorch on the book's MacBook).
     */
    public static TrainingOptions book() {
        return new TrainingOptions(10, 2, 256, 256, 4e-4, 0.1, 0, 5, 5, "Every effort moves you", 50,
                Dropout.Mode.PORTABLE);
    }

    public TrainingOptions withEpochs(int n) {
        return new TrainingOptions(n, batch, contextLength, stride, lr, weightDecay, maxGradNorm, evalFreq, evalIter,
                startContext, sampleTokens, dropoutMode);
    }

    public AdamW.Settings adamW() {
        return AdamW.Settings.of(lr, weightDecay);
    }
}
