package dev.vecgpt.model.train;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code torch.optim.AdamW} as PyTorch 1.13 computes it on the CPU, bit for bit: per parameter, in float32,
 * <pre>
 *   p ← p · (1 − lr·λ)                       decoupled weight decay
 *   m ← fma(g, 1 − β1, m · β1)               exp_avg.mul_(β1).add_(g, alpha=1 − β1)
 *   v ← fma((1 − β2) · g, g, v · β2)         exp_avg_sq.mul_(β2).addcmul_(g, g, value=1 − β2)
 *   p ← p + (−lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 * with every scalar computed in double as Python does and then rounded to float, and the multiply-adds fused
 * where PyTorch's kernels fuse them (checked against PyTorch's bits in AdamWTest). The moments are zero before the
 * first step. The optimizer owns its state's memory: close it when done.
 */
public final class AdamW implements AutoCloseable {

    /** The hyperparameters; {@link #of(double, double)} gives PyTorch's defaults for the rest. */
    public record Settings(double lr, double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (!(lr > 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + lr);
            }
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
            }
            if (!(eps >= 0)) {
                throw new IllegalArgumentException("eps must be >= 0, got " + eps);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weight decay must be a finite number >= 0, got " + weightDecay);
            }
        }

        /** {@code AdamW(params, lr=lr, weight_decay=weightDecay)}: betas (0.9, 0.999), eps 1e-8. */
        public static Settings of(double lr, double weightDecay) {
            return new Settings(lr, 0.9, 0.999, 1e-8, weightDecay);
        }
    }

    private final Settings settings;
    private final List<Tensor> values;
    private final List<Tensor> grads;
    private final Arena arena = Arena.ofShared();
    private final List<Tensor> expAvg = new ArrayList<>();
    private final List<Tensor> expAvgSq = new ArrayList<>();
    private long steps;

    /**
     * An optimizer over {@code values} (updated in place) whose gradients are {@code grads}, pairwise of equal
     * shapes, in the order PyTorch's {@code model.parameters()} gives them.
     */
    public AdamW(List<Tensor> values, List<Tensor> grads, Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (values.size() != grads.size()) {
            throw new IllegalArgumentException(values.size() + " parameters but " + grads.size() + " gradients");
        }
        for (int i = 0; i < values.size(); i++) {
            if (!values.get(i).shape().equals(grads.get(i).shape())) {
                throw new IllegalArgumentException("parameter " + i + " has shape " + values.get(i).shape()
                        + " but its gradient " + grads.get(i).shape());
            }
            expAvg.add(Tensor.allocate(arena, values.get(i).shape()));
            expAvgSq.add(Tensor.allocate(arena, values.get(i).shape()));
        }
        this.values = List.copyOf(values);
        this.grads = List.copyOf(grads);
    }

    public Settings settings() {
        return settings;
    }

    /** Steps taken so far (PyTorch's {@code state["step"]}, the same for every parameter). */
    public long steps() {
        return steps;
    }

    /** The first moments ({@code exp_avg}), one per parameter; for checkpoints. */
    public List<Tensor> expAvg() {
        return List.copyOf(expAvg);
    }

    /** The second moments ({@code exp_avg_sq}), one per parameter; for checkpoints. */
    public List<Tensor> expAvgSq() {
        return List.copyOf(expAvgSq);
    }

    /** Sets the step count after the moments were restored from a checkpoint. */
    public void restoreSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("step count must be >= 0, got " + steps);
        }
        this.steps = steps;
    }

    /** {@code optimizer.step()}: one update of every parameter from its gradient. */
    public void step() {
        steps++;
        double lr = settings.lr();
        float decay = (float) (1 - lr * settings.weightDecay());
        float beta1 = (float) settings.beta1();
        float oneMinusBeta1 = (float) (1 - settings.beta1());
        float beta2 = (float) settings.beta2();
        float oneMinusBeta2 = (float) (1 - settings.beta2());
        float negStepSize = (float) -(lr / (1 - Math.pow(settings.beta1(), steps)));
        float bias2Sqrt = (float) Math.sqrt(1 - Math.pow(settings.beta2(), steps));
        float eps = (float) settings.eps();
        for (int i = 0; i < values.size(); i++) {
            MemorySegment p = values.get(i).segment();
            MemorySegment g = grads.get(i).segment();
            MemorySegment m = expAvg.get(i).segment();
            MemorySegment v = expAvgSq.get(i).segment();
            long n = values.get(i).size();
            for (long j = 0; j < n; j++) {
                long at = j * Float.BYTES;
                float gj = g.get(Tensor.FLOAT, at);
                float mj = Math.fma(gj, oneMinusBeta1, m.get(Tensor.FLOAT, at) * beta1);
                float vj = Math.fma(oneMinusBeta2 * gj, gj, v.get(Tensor.FLOAT, at) * beta2);
                float denom = (float) Math.sqrt(vj) / bias2Sqrt + eps;
                float pj = p.get(Tensor.FLOAT, at) * decay;
                m.set(Tensor.FLOAT, at, mj);
                v.set(Tensor.FLOAT, at, vj);
                p.set(Tensor.FLOAT, at, pj + negStepSize * mj / denom);
            }
        }
    }

    /** {@code optimizer.zero_grad()}: every gradient set to zero. */
    public void zeroGrad() {
        for (Tensor g : grads) {
            g.segment().fill((byte) 0);
        }
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_(params, maxNorm)}: the global L2 norm of all gradients; if it exceeds
     * {@code maxNorm} every gradient is scaled by {@code maxNorm / (norm + 1e-6)}. Returns the norm before
     * clipping. The norms are summed in double (PyTorch's own order of summation is not reproduced: the result
     * agrees with it to float32 rounding).
     */
    public float clipGradNorm(double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max norm must be > 0, got " + maxNorm);
        }
        double sumOfSquares = 0;
        for (Tensor g : grads) {
            float norm = l2(g);
            sumOfSquares += (double) norm * norm;
        }
        float total = (float) Math.sqrt(sumOfSquares);
        float coef = Math.min((float) maxNorm / (total + 1e-6f), 1.0f);
        for (Tensor g : grads) {
            MemorySegment s = g.segment();
            for (long j = 0, n = g.size(); j < n; j++) {
                s.set(Tensor.FLOAT, j * Float.BYTES, s.get(Tensor.FLOAT, j * Float.BYTES) * coef);
            }
        }
        return total;
    }

    private static float l2(Tensor t) {
        MemorySegment s = t.segment();
        double sum = 0;
        for (long j = 0, n = t.size(); j < n; j++) {
            double x = s.get(Tensor.FLOAT, j * Float.BYTES);
            sum += x * x;
        }
        return (float) Math.sqrt(sum);
    }

    @Override
    public void close() {
        arena.close();
    }
}
