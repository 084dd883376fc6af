package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.model.internal.DropoutState;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Scores a text fed to it in pieces, in bounded memory: the windows of {@link ScoreWindows} are cut as the
 * ids arrive and go through the model {@code batch} at a time; only the ids from the first window not yet
 * run are kept. Made by {@link GptSession#scorer}; feed it with {@link #accept(int[])}, then
 * {@link #finish()}. Close it to free its scratch memory.
 */
public final class Scorer implements AutoCloseable {

    /** Rows of logits computed at once: the head's matmul still sees many rows, and the buffer stays small. */
    private static final int HEAD_ROWS = 128;
    /** Below this probability (e^−69) a float32 softmax has lost digits; such targets are scored exactly. */
    private static final float TINY = 1e-30f;

    private final GptModel model;
    private final GptConfig config;
    private final DropoutState dropout;
    private final int length;
    private final int step;
    private final int batch;
    private final Arena arena = Arena.ofShared(); // shared: the kernels may hand work to their threads
    private final Tensor logits;
    private Workspace full;
    private Workspace partial;
    /** Buffered ids; {@code ids[0]} is the text's id number {@code base}. */
    private int[] ids = new int[1024];
    private int buffered;
    private long base;
    private long seen;
    /** The text position of the next window to cut. */
    private long nextWindow;
    private final long[] starts;
    private int pending;
    private double lossSum;
    private long targets;

    Scorer(GptModel model, DropoutState dropout, ScoreWindows windows) {
        this.model = model;
        this.config = model.config();
        this.dropout = dropout;
        this.length = windows.window(config.contextLength());
        this.step = windows.step(length);
        this.batch = windows.batch();
        this.starts = new long[batch];
        this.logits = Tensor.allocate(arena, HEAD_ROWS, config.vocabSize());
    }

    /** Adds the next ids of the text. */
    public void accept(int[] next) {
        for (int i = 0; i < next.length; i++) {
            if (next[i] < 0 || next[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + next[i] + " at " + (seen + i)
                        + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        if (buffered + next.length > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(2 * ids.length, buffered + next.length));
        }
        System.arraycopy(next, 0, ids, buffered, next.length);
        buffered += next.length;
        seen += next.length;
        // A window starting at i has its last target once i + L + 1 ids are in.
        while (nextWindow + length < seen) {
            starts[pending++] = nextWindow;
            nextWindow += step;
            if (pending == batch) {
                run();
            }
        }
    }

    /**
     * Scores the windows not yet run and returns the text's score.
     *
     * @throws IllegalArgumentException if the text is too short for one window, saying how many ids it has
     */
    public Score finish() {
        if (pending > 0) {
            run();
        }
        if (targets == 0) {
            throw new IllegalArgumentException("the text has " + seen + " tokens; scoring needs at least "
                    + (length + 1) + " (a window of " + length + " and its next token)");
        }
        return new Score(seen, targets, lossSum / targets);
    }

    /** Runs the pending windows as one batch and drops the ids no later window needs. */
    private void run() {
        int windows = pending;
        int[] flat = new int[windows * length];
        for (int w = 0; w < windows; w++) {
            System.arraycopy(ids, (int) (starts[w] - base), flat, w * length, length);
        }
        Workspace ws = workspace(windows);
        model.hidden(flat, 0, ws, null, dropout);
        int rows = windows * length;
        int d = config.embDim();
        Tensor x = ws.x.reshape(Shape.of(rows, d));
        Tensor normed = ws.normed.reshape(Shape.of(rows, d));
        model.finalNorm(x, normed);
        for (int r = 0; r < rows; r += HEAD_ROWS) {
            int n = Math.min(HEAD_ROWS, rows - r);
            Tensor out = logits.slice(0, n);
            model.head(normed.slice(r, r + n), out);
            model.kernels().softmax(out, out); // the vectorized kernel; −log p is the cross-entropy
            for (int i = 0; i < n; i++) {
                int row = r + i;
                int target = ids[(int) (starts[row / length] + row % length + 1 - base)];
                float p = out.segment().getAtIndex(Tensor.FLOAT, (long) i * config.vocabSize() + target);
                lossSum += p >= TINY ? -Math.log(p) : exactLoss(normed.slice(row, row + 1), target);
            }
        }
        targets += rows;
        pending = 0;
        int drop = (int) Math.min(nextWindow - base, buffered); // a stride past the window may skip unseen ids
        System.arraycopy(ids, drop, ids, 0, buffered - drop);
        buffered -= drop;
        base += drop;
    }

    /**
     * {@code −log softmax(logits)[target]} for one row, from {@code log Σ exp(x − max) + max − x[target]} in
     * double: for the rare target whose float32 probability is too small to take the log of accurately.
     */
    private double exactLoss(Tensor normedRow, int target) {
        Tensor row = logits.slice(0, 1); // the chunk's first row, already scored: rows are scored in order
        model.head(normedRow, row);
        MemorySegment x = row.segment();
        int vocab = config.vocabSize();
        float max = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, x.getAtIndex(Tensor.FLOAT, v));
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            sum += Math.exp(x.getAtIndex(Tensor.FLOAT, v) - (double) max);
        }
        return Math.log(sum) + max - x.getAtIndex(Tensor.FLOAT, target);
    }

    private Workspace workspace(int windows) {
        if (windows == batch) {
            return full == null ? full = new Workspace(config, batch, length, length, arena) : full;
        }
        return partial == null || partial.batch != windows
                ? partial = new Workspace(config, windows, length, length, arena) : partial;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
