package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Cross-entropy fused with the softmax of the logits and its gradient. Rows are independent and split
 * over the threads; each row's loss goes to its own slot and the slots are summed in row order, so the
 * mean does not depend on the split. The log-sum-exp is taken of the float32 sum of
 * {@link VectorFunctions#exp} (the reference sums in double: they agree within float rounding).
 */
final class CrossEntropy {

    private static final int LANES = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    private CrossEntropy() {}

    static float loss(Tensor logits, int[] targets, Tensor dLogits, WorkerPool pool) {
        int vocab = logits.shape().dim(-1);
        int count = 0;
        for (int target : targets) {
            count += target == Kernels.IGNORE_INDEX ? 0 : 1;
        }
        double[] rowLoss = new double[targets.length];
        int rows = targets.length;
        int counted = count;
        boolean shareable = pool.canShare(logits.segment()) && (dLogits == null || pool.canShare(dLogits.segment()));
        int parts = shareable && (long) rows * vocab >= (1L << 16) ? Math.min(pool.threads(), rows) : 1;
        if (parts == 1) {
            rows(logits, targets, dLogits, counted, rowLoss, 0, rows);
        } else {
            pool.run(parts, (part, all) -> rows(logits, targets, dLogits, counted, rowLoss,
                    (int) ((long) rows * part / all), (int) ((long) rows * (part + 1) / all)));
        }
        double total = 0;
        for (double l : rowLoss) {
            total += l;
        }
        return (float) (total / count);
    }

    private static void rows(Tensor logits, int[] targets, Tensor dLogits, int count, double[] rowLoss, int from,
                             int to) {
        int vocab = logits.shape().dim(-1);
        MemorySegment x = logits.segment();
        MemorySegment d = dLogits == null ? null : dLogits.segment();
        int vectorEnd = vocab - vocab % LANES;
        for (int r = from; r < to; r++) {
            long base = (long) r * vocab * Float.BYTES;
            int target = targets[r];
            if (target == Kernels.IGNORE_INDEX) {
                if (d != null) {
                    d.asSlice(base, (long) vocab * Float.BYTES).fill((byte) 0);
                }
                continue;
            }
            FloatVector maxV = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            int i = 0;
            for (; i < vectorEnd; i += LANES) {
                maxV = maxV.max(FloatVector.fromMemorySegment(SPECIES, x, base + (long) i * Float.BYTES, ORDER));
            }
            float max = maxV.reduceLanes(VectorOperators.MAX);
            for (; i < vocab; i++) {
                max = Math.max(max, x.get(F, base + (long) i * Float.BYTES));
            }
            float picked = x.get(F, base + (long) target * Float.BYTES);
            FloatVector sumV = FloatVector.zero(SPECIES);
            for (i = 0; i < vectorEnd; i += LANES) {
                long at = base + (long) i * Float.BYTES;
                FloatVector e = VectorFunctions.exp(FloatVector.fromMemorySegment(SPECIES, x, at, ORDER).sub(max));
                if (d != null) {
                    e.intoMemorySegment(d, at, ORDER);
                }
                sumV = sumV.add(e);
            }
            float sum = VectorFunctions.sum(sumV);
            for (; i < vocab; i++) {
                long at = base + (long) i * Float.BYTES;
                float e = VectorFunctions.exp(x.get(F, at) - max);
                if (d != null) {
                    d.set(F, at, e);
                }
                sum += e;
            }
            rowLoss[r] = Math.log(sum) + max - picked;
            if (d == null) {
                continue;
            }
            float inverse = 1f / sum;
            float perTarget = 1f / count;
            long targetAt = base + (long) target * Float.BYTES;
            float targetExp = d.get(F, targetAt);
            for (i = 0; i < vectorEnd; i += LANES) {
                long at = base + (long) i * Float.BYTES;
                FloatVector.fromMemorySegment(SPECIES, d, at, ORDER).mul(inverse).mul(perTarget)
                        .intoMemorySegment(d, at, ORDER);
            }
            for (; i < vocab; i++) {
                long at = base + (long) i * Float.BYTES;
                d.set(F, at, d.get(F, at) * inverse * perTarget);
            }
            d.set(F, targetAt, (targetExp * inverse - 1f) * perTarget);
        }
    }
}
