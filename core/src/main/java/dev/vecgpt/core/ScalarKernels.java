package dev.vecgpt.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The reference kernels: plain loops that define what every kernel computes. They are meant to be
 * read, not to be fast; faster kernels are tested against them.
 */
final class ScalarKernels implements Kernels {

    private static final java.lang.foreign.ValueLayout.OfFloat F = Tensor.FLOAT;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gather(Tensor table, int[] ids, Tensor out) {
        int dim = table.shape().dim(-1);
        MemorySegment src = table.segment();
        MemorySegment dst = out.segment();
        for (int i = 0; i < ids.length; i++) {
            long from = (long) ids[i] * dim;
            long to = (long) i * dim;
            for (int d = 0; d < dim; d++) {
                dst.setAtIndex(F, to + d, src.getAtIndex(F, from + d));
            }
        }
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        long n = a.size();
        long period = b.size();
        MemorySegment sa = a.segment();
        MemorySegment sb = b.segment();
        MemorySegment so = out.segment();
        for (long i = 0; i < n; i++) {
            so.setAtIndex(F, i, sa.getAtIndex(F, i) + sb.getAtIndex(F, i % period));
        }
    }

    /**
     * The reference multiplies by W as it is: its "packed" float32 weight is W itself, its bfloat16
     * one a float32 copy of W with every value rounded to bfloat16, its Q8_0 one a float32 copy of
     * the dequantized weights {@code q · scale} (see {@link WeightFormat#Q8_0}). The product is then
     * the float32 one of {@link #matmul(Tensor, Tensor, Tensor)} with those weights, k in order.
     */
    @Override
    public PackedWeight pack(Tensor w, WeightFormat format, Arena arena) {
        Unpacked packed = new Unpacked(Tensor.allocate(arena, w.shape()), format);
        repack(w, packed);
        return packed;
    }

    @Override
    public void repack(Tensor w, PackedWeight packed) {
        Tensor rounded = ((Unpacked) packed).weight();
        WeightFormat format = packed.format();
        if (format == WeightFormat.F32) {
            MemorySegment.copy(w.segment(), 0, rounded.segment(), 0, w.segment().byteSize());
            return;
        }
        if (format == WeightFormat.Q8_0) {
            int k = w.shape().dim(1);
            for (long row = 0; row < w.shape().dim(0); row++) {
                WeightFormat.roundRowToQ8(w, rounded, row * k, k);
            }
            return;
        }
        for (long i = 0; i < w.size(); i++) {
            rounded.set(i, WeightFormat.roundToBf16(w.get(i)));
        }
    }

    @Override
    public void matmul(Tensor x, PackedWeight w, Tensor y) {
        matmul(x, ((Unpacked) w).weight(), y);
    }

    private record Unpacked(Tensor weight, WeightFormat format) implements PackedWeight {
        @Override
        public Shape shape() {
            return weight.shape();
        }

        @Override
        public String packedBy() {
            return "scalar";
        }

        @Override
        public Tensor unpack(Arena arena) {
            Tensor copy = Tensor.allocate(arena, weight.shape());
            MemorySegment.copy(weight.segment(), 0, copy.segment(), 0, weight.segment().byteSize());
            return copy;
        }

        @Override
        public boolean isAlive() {
            return weight.isAlive();
        }
    }

    @Override
    public void matmul(Tensor x, Tensor w, Tensor y) {
        int k = w.shape().dim(1);
        int n = w.shape().dim(0);
        long m = x.size() / k;
        MemorySegment sx = x.segment();
        MemorySegment sw = w.segment();
        MemorySegment sy = y.segment();
        for (long row = 0; row < m; row++) {
            for (long col = 0; col < n; col++) {
                float sum = 0f;
                for (long i = 0; i < k; i++) {
                    sum += sx.getAtIndex(F, row * k + i) * sw.getAtIndex(F, col * k + i);
                }
                sy.setAtIndex(F, row * n + col, sum);
            }
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor scale, Tensor shift, float eps, Tensor out) {
        int dim = scale.shape().dim(0);
        long rows = x.size() / dim;
        for (long r = 0; r < rows; r++) {
            long base = r * dim;
            float mean = mean(x, base, dim);
            float std = std(x, base, dim, mean, eps);
            for (int i = 0; i < dim; i++) {
                out.set(base + i, scale.get(i) * ((x.get(base + i) - mean) / std) + shift.get(i));
            }
        }
    }

    /** The mean of the {@code dim} values from {@code base}, summed in order. */
    private static float mean(Tensor x, long base, int dim) {
        float sum = 0f;
        for (int i = 0; i < dim; i++) {
            sum += x.get(base + i);
        }
        return sum / dim;
    }

    /** {@code √(biased variance + eps)} of the {@code dim} values from {@code base}, around {@code mean}. */
    private static float std(Tensor x, long base, int dim, float mean, float eps) {
        float squares = 0f;
        for (int i = 0; i < dim; i++) {
            float centered = x.get(base + i) - mean;
            squares += centered * centered;
        }
        return (float) Math.sqrt(squares / dim + eps);
    }

    /** √(2/π) rounded to float, as PyTorch's float GELU uses it. */
    static final float GELU_SCALE = (float) Math.sqrt(2 / Math.PI);

    @Override
    public void gelu(Tensor x, Tensor out) {
        for (long i = 0; i < x.size(); i++) {
            float v = x.get(i);
            float inner = GELU_SCALE * (v + 0.044715f * (v * v * v));
            out.set(i, 0.5f * v * (1f + (float) Math.tanh(inner)));
        }
    }

    @Override
    public void attentionScores(Tensor q, Tensor k, int heads, Tensor scores) {
        int batch = q.shape().dim(0);
        int queries = q.shape().dim(1);
        int keys = k.shape().dim(1);
        int dim = q.shape().dim(2);
        int headDim = dim / heads;
        int past = keys - queries;
        float scale = (float) (1 / Math.sqrt(headDim));
        long at = 0;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < queries; t++) {
                    long qBase = ((long) b * queries + t) * dim + (long) h * headDim;
                    for (int s = 0; s < keys; s++, at++) {
                        if (s > past + t) {
                            scores.set(at, Float.NEGATIVE_INFINITY);
                            continue;
                        }
                        long kBase = ((long) b * keys + s) * dim + (long) h * headDim;
                        float dot = 0f;
                        for (int i = 0; i < headDim; i++) {
                            dot += q.get(qBase + i) * k.get(kBase + i);
                        }
                        scores.set(at, dot * scale);
                    }
                }
            }
        }
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        int dim = x.shape().dim(-1);
        long rows = x.size() / dim;
        for (long r = 0; r < rows; r++) {
            long base = r * dim;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < dim; i++) {
                max = Math.max(max, x.get(base + i));
            }
            float sum = 0f;
            for (int i = 0; i < dim; i++) {
                float e = (float) Math.exp(x.get(base + i) - max);
                out.set(base + i, e);
                sum += e;
            }
            for (int i = 0; i < dim; i++) {
                out.set(base + i, out.get(base + i) / sum);
            }
        }
    }

    /** The three kernels in turn, on copies of the attended keys (transposed back) and values. */
    @Override
    public void attention(Tensor q, Tensor kT, Tensor v, int keys, int heads, Tensor out) {
        int batch = q.shape().dim(0);
        int dim = q.shape().dim(2);
        try (Arena arena = Arena.ofConfined()) {
            Tensor k = Tensor.allocate(arena, batch, keys, dim);
            long positions = kT.shape().dim(2);
            for (int b = 0; b < batch; b++) {
                for (int i = 0; i < dim; i++) {
                    for (int s = 0; s < keys; s++) {
                        k.set(((long) b * keys + s) * dim + i, kT.get(((long) b * dim + i) * positions + s));
                    }
                }
            }
            Tensor values = Tensor.allocate(arena, batch, keys, dim);
            long bytes = (long) keys * dim * Float.BYTES;
            for (int b = 0; b < batch; b++) {
                MemorySegment.copy(v.segment(), (long) b * v.shape().dim(1) * dim * Float.BYTES, values.segment(),
                        b * bytes, bytes);
            }
            Tensor scores = Tensor.allocate(arena, batch, heads, q.shape().dim(1), keys);
            attentionScores(q, k, heads, scores);
            softmax(scores, scores);
            attentionValues(scores, values, heads, out);
        }
    }

    /** A row of x at a time, each element into its column of xT. */
    @Override
    public void transposeInto(Tensor x, Tensor xT, int at) {
        int batch = x.shape().dim(0);
        int rows = x.shape().dim(1);
        int dim = x.shape().dim(2);
        long columns = xT.shape().dim(2);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < rows; t++) {
                for (int i = 0; i < dim; i++) {
                    xT.set(((long) b * dim + i) * columns + at + t, x.get(((long) b * rows + t) * dim + i));
                }
            }
        }
    }

    @Override
    public void attentionValues(Tensor weights, Tensor v, int heads, Tensor out) {
        int batch = v.shape().dim(0);
        int keys = v.shape().dim(1);
        int dim = v.shape().dim(2);
        int queries = weights.shape().dim(2);
        int headDim = dim / heads;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < queries; t++) {
                    long wBase = (((long) b * heads + h) * queries + t) * keys;
                    long oBase = ((long) b * queries + t) * dim + (long) h * headDim;
                    for (int i = 0; i < headDim; i++) {
                        float sum = 0f;
                        for (int s = 0; s < keys; s++) {
                            sum += weights.get(wBase + s) * v.get(((long) b * keys + s) * dim + (long) h * headDim + i);
                        }
                        out.set(oBase + i, sum);
                    }
                }
            }
        }
    }

    @Override
    public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        int dim = dTable.shape().dim(-1);
        for (int i = 0; i < ids.length; i++) {
            long to = (long) ids[i] * dim;
            long from = (long) i * dim;
            for (int d = 0; d < dim; d++) {
                dTable.set(to + d, dTable.get(to + d) + dOut.get(from + d));
            }
        }
    }

    @Override
    public void matmulBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        long m = dy.size() / n;
        for (long row = 0; row < m; row++) {
            for (long col = 0; col < k; col++) {
                float sum = 0f;
                for (long i = 0; i < n; i++) {
                    sum += dy.get(row * n + i) * w.get(i * k + col);
                }
                dx.set(row * k + col, sum);
            }
        }
    }

    @Override
    public void matmulBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        int n = dw.shape().dim(0);
        int k = dw.shape().dim(1);
        long m = dy.size() / n;
        for (long out = 0; out < n; out++) {
            for (long in = 0; in < k; in++) {
                float sum = 0f;
                for (long row = 0; row < m; row++) {
                    sum += dy.get(row * n + out) * x.get(row * k + in);
                }
                dw.set(out * k + in, dw.get(out * k + in) + sum);
            }
        }
    }

    @Override
    public void biasBackward(Tensor dy, Tensor db) {
        int n = db.shape().dim(0);
        long m = dy.size() / n;
        for (long row = 0; row < m; row++) {
            for (int col = 0; col < n; col++) {
                db.set(col, db.get(col) + dy.get(row * n + col));
            }
        }
    }

    @Override
    public void layerNormBackward(Tensor dOut, Tensor x, Tensor scale, float eps, Tensor dx, Tensor dScale,
                                  Tensor dShift) {
        int dim = scale.shape().dim(0);
        long rows = x.size() / dim;
        for (long r = 0; r < rows; r++) {
            long base = r * dim;
            float mean = mean(x, base, dim); // as layerNorm computes them
            float std = std(x, base, dim, mean, eps);
            float sumG = 0f;
            float sumGX = 0f;
            for (int i = 0; i < dim; i++) {
                float normed = (x.get(base + i) - mean) / std;
                float g = dOut.get(base + i) * scale.get(i);
                sumG += g;
                sumGX += g * normed;
                dScale.set(i, dScale.get(i) + dOut.get(base + i) * normed);
                dShift.set(i, dShift.get(i) + dOut.get(base + i));
            }
            float meanG = sumG / dim;
            float meanGX = sumGX / dim;
            for (int i = 0; i < dim; i++) {
                float normed = (x.get(base + i) - mean) / std;
                float g = dOut.get(base + i) * scale.get(i);
                dx.set(base + i, dx.get(base + i) + (g - meanG - normed * meanGX) / std);
            }
        }
    }

    @Override
    public void geluBackward(Tensor dOut, Tensor x, Tensor dx) {
        for (long i = 0; i < x.size(); i++) {
            dx.set(i, dOut.get(i) * geluSlope(x.get(i)));
        }
    }

    /** The derivative of the tanh-approximated GELU at {@code v}, in float as {@link #geluBackward} defines it. */
    static float geluSlope(float v) {
        float inner = GELU_SCALE * (v + 0.044715f * (v * v * v));
        float tanh = (float) Math.tanh(inner);
        float innerSlope = GELU_SCALE * (1f + 3f * 0.044715f * (v * v));
        return 0.5f * (1f + tanh) + 0.5f * v * (1f - tanh * tanh) * innerSlope;
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        for (long i = 0; i < a.size(); i++) {
            out.set(i, a.get(i) * b.get(i));
        }
    }

    @Override
    public void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor mask, int heads,
                                  Tensor dq, Tensor dk, Tensor dv) {
        int batch = q.shape().dim(0);
        int length = q.shape().dim(1);
        int dim = q.shape().dim(2);
        int headDim = dim / heads;
        float scale = (float) (1 / Math.sqrt(headDim));
        dk.segment().fill((byte) 0);
        dv.segment().fill((byte) 0);
        float[] dp = new float[length];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int t = 0; t < length; t++) {
                    long row = (((long) b * heads + h) * length + t) * length;
                    long at = ((long) b * length + t) * dim + (long) h * headDim;
                    // the probabilities' gradient, through the dropout, and its mean under the probabilities
                    float dot = 0f;
                    for (int s = 0; s <= t; s++) {
                        long vs = ((long) b * length + s) * dim + (long) h * headDim;
                        float sum = 0f;
                        for (int i = 0; i < headDim; i++) {
                            sum += dOut.get(at + i) * v.get(vs + i);
                        }
                        dp[s] = sum * mask.get(row + s);
                        dot += probs.get(row + s) * dp[s];
                    }
                    for (int i = 0; i < headDim; i++) {
                        dq.set(at + i, 0f);
                    }
                    for (int s = 0; s <= t; s++) {
                        long ks = ((long) b * length + s) * dim + (long) h * headDim;
                        float p = probs.get(row + s);
                        float ds = p * (dp[s] - dot) * scale;
                        float dropped = p * mask.get(row + s);
                        for (int i = 0; i < headDim; i++) {
                            dq.set(at + i, dq.get(at + i) + ds * k.get(ks + i));
                            dk.set(ks + i, dk.get(ks + i) + ds * q.get(at + i));
                            dv.set(ks + i, dv.get(ks + i) + dropped * dOut.get(at + i));
                        }
                    }
                }
            }
        }
    }

    @Override
    public float crossEntropy(Tensor logits, int[] targets, Tensor dLogits) {
        int vocab = logits.shape().dim(-1);
        int count = 0;
        for (int target : targets) {
            count += target == IGNORE_INDEX ? 0 : 1;
        }
        double total = 0;
        for (int r = 0; r < targets.length; r++) {
            long base = (long) r * vocab;
            if (targets[r] == IGNORE_INDEX) {
                if (dLogits != null) {
                    for (int i = 0; i < vocab; i++) {
                        dLogits.set(base + i, 0f);
                    }
                }
                continue;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) {
                max = Math.max(max, logits.get(base + i));
            }
            double exact = 0;
            float sum = 0f;
            for (int i = 0; i < vocab; i++) {
                exact += Math.exp((double) logits.get(base + i) - max);
                sum += (float) Math.exp(logits.get(base + i) - max);
            }
            total += Math.log(exact) + max - logits.get(base + targets[r]);
            if (dLogits != null) {
                for (int i = 0; i < vocab; i++) {
                    float p = (float) Math.exp(logits.get(base + i) - max) / sum;
                    dLogits.set(base + i, ((i == targets[r] ? p - 1f : p)) / count);
                }
            }
        }
        return (float) (total / count);
    }
}
