package dev.vecgpt.model.train;

import dev.vecgpt.core.random.TorchGenerator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * PyTorch's {@code DataLoader(dataset, batch_size, shuffle, drop_last, num_workers=0)} over {@link TokenWindows},
 * drawing from the global generator exactly as PyTorch 1.13 does, so that the batch order and every draw after it
 * (the dropout masks) are PyTorch's:
 * <ul>
 *   <li>each {@link #iterate} ({@code iter(loader)}) draws the iterator's base seed, one int64 {@code random_()};
 *   <li>a shuffling loader's RandomSampler, on the pass's first batch, draws one more int64 as the seed of its own
 *       generator and takes {@code randperm(len(dataset))} from that generator (the global one is not touched
 *       again). A pass that is abandoned before asking for a batch draws only the base seed.
 * </ul>
 * Without shuffling the windows come in order. With {@code dropLast} a last partial batch is left out.
 */
public final class DataLoader {

    private final TokenWindows windows;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;

    public DataLoader(TokenWindows windows, int batchSize, boolean shuffle, boolean dropLast) {
        this.windows = Objects.requireNonNull(windows, "windows");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
    }

    /** The book's training loader: shuffled, last partial batch dropped. */
    public static DataLoader training(TokenWindows windows, int batchSize) {
        return new DataLoader(windows, batchSize, true, true);
    }

    /** The book's validation loader: in order, a last partial batch kept. */
    public static DataLoader validation(TokenWindows windows, int batchSize) {
        return new DataLoader(windows, batchSize, false, false);
    }

    public TokenWindows windows() {
        return windows;
    }

    public int batchSize() {
        return batchSize;
    }

    /** {@code len(loader)}: batches per pass. */
    public int batchCount() {
        int n = windows.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The tokens a text needs for one batch: {@code (batch - 1) · stride + maxLength + 1}. */
    public long tokensForOneBatch() {
        return (long) (batchSize - 1) * windows.stride() + windows.maxLength() + 1;
    }

    /** {@code iter(loader)}: draws the base seed from {@code global} now; the batches follow lazily. */
    public Iterator<Batch> iterate(TorchGenerator global) {
        Objects.requireNonNull(global, "global generator");
        global.randomInt64(); // _BaseDataLoaderIter's _base_seed (only workers would use it)
        return new Pass(global);
    }

    private final class Pass implements Iterator<Batch> {
        private final TorchGenerator global;
        private int[] order;
        private int next;

        Pass(TorchGenerator global) {
            this.global = global;
        }

        /** Python draws the sampler's seed when the first batch is asked for, even if there is none. */
        @Override
        public boolean hasNext() {
            if (order == null) {
                order = sampleOrder();
            }
            return next < batchCount();
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the pass has given all " + batchCount() + " batches");
            }
            int from = next * batchSize;
            int rows = Math.min(batchSize, windows.size() - from);
            int length = windows.maxLength();
            int[] inputs = new int[rows * length];
            int[] targets = new int[rows * length];
            int[] picked = new int[rows];
            for (int r = 0; r < rows; r++) {
                picked[r] = order[from + r];
                windows.copy(picked[r], inputs, targets, r * length);
            }
            next++;
            return new Batch(rows, length, inputs, targets, picked);
        }

        /** RandomSampler.__iter__ without a generator: a fresh generator seeded from the global one, then randperm. */
        private int[] sampleOrder() {
            int n = windows.size();
            if (shuffle) {
                return new TorchGenerator(global.randomInt64()).randperm(n);
            }
            int[] identity = new int[n];
            for (int i = 0; i < n; i++) {
                identity[i] = i;
            }
            return identity;
        }
    }
}
