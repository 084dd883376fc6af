package dev.vecgpt.model;

import dev.vecgpt.core.random.TorchGenerator;

/**
 * One generation's sampling state (its generator and scratch memory), made by {@link Sampling#start(int)}.
 * {@link #next(float[])} is one step of the book's chapter-5 {@code generate}, drawing PyTorch's tokens:
 * <ol>
 *   <li>top-k: every logit below the k-th largest becomes −∞ ({@code torch.where(logits < min_val, -inf,
 *       logits)}, so ties at the k-th value stay);</li>
 *   <li>temperature 0: argmax, first index on ties; else {@code logits / temperature} in float32;</li>
 *   <li>top-p: Hugging Face's nucleus rule (below);</li>
 *   <li>{@code probs = torch.softmax(logits)} (bit for bit, see {@link TorchSoftmax});</li>
 *   <li>{@code torch.multinomial(probs, 1)}, which PyTorch computes as {@code argmax(probs / q)} with
 *       {@code q = empty_like(probs).exponential_(1)} over the whole vocabulary (2 raw generator outputs per
 *       entry per step), first index on ties.</li>
 * </ol>
 * The stop token is the generation loop's business: the book stops when the drawn token is {@code eos_id},
 * without appending it. Every random step draws the same amount from the generator, so the tokens after
 * step n do not depend on how earlier logits were computed, only on what was drawn.
 * No allocation per call: scratch arrays are made once. Not thread-safe: one sampler per generation.
 */
public final class Sampler {

    private final Sampling settings;
    private final int vocab;
    private final TorchGenerator generator;
    private final TorchSoftmax softmax = new TorchSoftmax();
    private final float[] probs;
    private final float[] q;
    private final float[] kHeap;   // min-heap of the k largest logits (top-k only)
    private final int[] pHeap;     // max-heap of token ids by probability (top-p only)
    private final boolean[] kept;  // top-p's nucleus

    Sampler(Sampling settings, int vocab) {
        this.settings = settings;
        this.vocab = vocab;
        this.generator = new TorchGenerator(settings.seed());
        boolean random = !settings.isGreedy();
        this.probs = random ? new float[vocab] : null;
        this.q = random ? new float[vocab] : null;
        this.kHeap = settings.topK() > 0 ? new float[settings.topK()] : null;
        boolean nucleus = random && settings.topP() < 1;
        this.pHeap = nucleus ? new int[vocab] : null;
        this.kept = nucleus ? new boolean[vocab] : null;
    }

    public Sampling settings() {
        return settings;
    }

    public int vocabSize() {
        return vocab;
    }

    /**
     * The next token for the last position's {@code logits} (length = vocabulary), which this call may
     * overwrite as scratch. Throws for a wrong length or a NaN logit, naming it.
     */
    public int next(float[] logits) {
        check(logits);
        if (kHeap != null) {
            topK(logits);
        }
        if (settings.isGreedy()) {
            return argmax(logits);
        }
        float t = settings.temperature();
        for (int i = 0; i < vocab; i++) {
            logits[i] = logits[i] / t;
        }
        if (pHeap != null) {
            topP(logits);
        }
        softmax.apply(logits, probs, vocab);
        generator.exponential_(q, 1.0);
        for (int i = 0; i < vocab; i++) {
            q[i] = probs[i] / q[i];
        }
        return argmax(q);
    }

    private void check(float[] logits) {
        if (logits.length != vocab) {
            throw new IllegalArgumentException(
                    "logits have " + logits.length + " values, the sampler was started for a vocabulary of " + vocab);
        }
        for (int i = 0; i < vocab; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalArgumentException("logit " + i + " is NaN");
            }
        }
    }

    /** First index of the largest value; a NaN (only from 0/0, probability 2^-53) wins, as in torch.argmax. */
    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            float v = x[i];
            if (v > x[best] || (Float.isNaN(v) && !Float.isNaN(x[best]))) {
                best = i;
            }
        }
        return best;
    }

    /** k-th largest value (counting repeats, as torch.topk's last value) via a size-k min-heap; smaller → −∞. */
    private void topK(float[] logits) {
        float[] h = kHeap;
        int k = h.length;
        System.arraycopy(logits, 0, h, 0, k);
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDownMin(h, i);
        }
        for (int i = k; i < vocab; i++) {
            if (logits[i] > h[0]) {
                h[0] = logits[i];
                siftDownMin(h, 0);
            }
        }
        float kth = h[0];
        for (int i = 0; i < vocab; i++) {
            if (logits[i] < kth) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    private static void siftDownMin(float[] h, int i) {
        int n = h.length;
        float v = h[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && h[c + 1] < h[c]) {
                c++;
            }
            if (!(h[c] < v)) {
                break;
            }
            h[i] = h[c];
            i = c;
        }
        h[i] = v;
    }

    /**
     * Hugging Face's {@code TopPLogitsWarper}: tokens sorted by probability (descending; equal ones by
     * index), keep the shortest prefix whose cumulative probability (summed in double) reaches {@code topP},
     * at least one token; the others become −∞. Only the kept prefix is sorted: a max-heap pops it.
     */
    private void topP(float[] logits) {
        softmax.apply(logits, probs, vocab);
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            kept[i] = false;
            if (probs[i] > 0) {
                pHeap[n++] = i;
            }
        }
        for (int i = n / 2 - 1; i >= 0; i--) {
            siftDownMax(i, n);
        }
        double cumulative = 0;
        double p = settings.topP();
        while (n > 0) {
            int top = pHeap[0];
            kept[top] = true;
            cumulative += probs[top];
            pHeap[0] = pHeap[--n];
            siftDownMax(0, n);
            if (cumulative >= p) {
                break;
            }
        }
        for (int i = 0; i < vocab; i++) {
            if (!kept[i]) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Higher probability first, then lower index. */
    private boolean before(int a, int b) {
        return probs[a] > probs[b] || (probs[a] == probs[b] && a < b);
    }

    private void siftDownMax(int i, int n) {
        int[] h = pHeap;
        int v = h[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && before(h[c + 1], h[c])) {
                c++;
            }
            if (!before(h[c], v)) {
                break;
            }
            h[i] = h[c];
            i = c;
        }
        h[i] = v;
    }
}
