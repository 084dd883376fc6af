package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Row-wise normalizations over the last dimension: layer norm and softmax.
 *
 * <p>Their sums are vectors of lane-wise partial sums, added chunk after chunk in index order and
 * finished by {@link VectorFunctions#sum}, a fixed tree; elements past the last whole vector are
 * then added one by one. That order differs from the reference's left-to-right one (so sums
 * differ by rounding), but it is fixed: the result depends on the data and the vector width only,
 * not on JIT tier, thread split or timing. A row is never split, so neither does the thread count
 * change a result.
 */
final class Norms {

    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    private static final ThreadLocal<LayerNorm> LAYER_NORMS = ThreadLocal.withInitial(LayerNorm::new);
    private static final ThreadLocal<Softmax> SOFTMAXES = ThreadLocal.withInitial(Softmax::new);

    private Norms() {}

    // ---------------------------------------------------------------- layer norm

    static void layerNorm(Tensor x, Tensor scale, Tensor shift, float eps, Tensor out, WorkerPool pool) {
        LAYER_NORMS.get().run(x, scale, shift, eps, out, pool);
    }

    /** A layer norm split by rows. */
    private static final class LayerNorm extends WorkerPool.Call {
        private MemorySegment x;
        private MemorySegment scale;
        private MemorySegment shift;
        private MemorySegment out;
        private float eps;
        private int dim;

        void run(Tensor x, Tensor scale, Tensor shift, float eps, Tensor out, WorkerPool pool) {
            this.x = x.segment();
            this.scale = scale.segment();
            this.shift = shift.segment();
            this.out = out.segment();
            this.eps = eps;
            this.dim = scale.shape().dim(0);
            split(pool, WorkerPool.Work.ELEMENTS, x.size(), x.size() / dim, this.x, this.scale, this.shift, this.out);
        }

        @Override
        void run(long from, long to) {
            layerNormRows(x, scale, shift, eps, out, dim, from, to);
        }

        @Override
        void clear() {
            x = scale = shift = out = null;
        }
    }

    private static void layerNormRows(MemorySegment x, MemorySegment scale, MemorySegment shift, float eps,
                                      MemorySegment out, int dim, long from, long to) {
        for (long r = from; r < to; r++) {
            layerNormRow(x, scale, shift, eps, out, r * dim * Float.BYTES, dim);
        }
    }

    /**
     * One row at byte offset {@code base}: mean, biased variance of the centred values, then
     * {@code scale·((x − mean)/std) + shift} with the reference's operations in the reference's
     * order, so that outputs differ only as far as mean and std do.
     */
    private static void layerNormRow(MemorySegment x, MemorySegment scale, MemorySegment shift, float eps,
                                     MemorySegment out, long base, int dim) {
        int vectorEnd = dim - dim % LANES;
        float mean = sum(x, base, dim, vectorEnd) / dim;
        float squares = centredSquares(x, base, dim, vectorEnd, mean);
        float std = (float) Math.sqrt(squares / dim + eps);
        FloatVector meanV = FloatVector.broadcast(SPECIES, mean);
        FloatVector stdV = FloatVector.broadcast(SPECIES, std);
        int i = 0;
        for (; i < vectorEnd; i += LANES) {
            long at = base + (long) i * Float.BYTES;
            long param = (long) i * Float.BYTES;
            FloatVector normalized = FloatVector.fromMemorySegment(SPECIES, x, at, ORDER).sub(meanV).div(stdV);
            FloatVector.fromMemorySegment(SPECIES, scale, param, ORDER).mul(normalized)
                    .add(FloatVector.fromMemorySegment(SPECIES, shift, param, ORDER))
                    .intoMemorySegment(out, at, ORDER);
        }
        for (; i < dim; i++) {
            long at = base + (long) i * Float.BYTES;
            long param = (long) i * Float.BYTES;
            out.set(F, at, scale.get(F, param) * ((x.get(F, at) - mean) / std) + shift.get(F, param));
        }
    }

    /** Σ x over a row of {@code dim} floats; {@code vectorEnd} = dim rounded down to whole vectors. */
    private static float sum(MemorySegment x, long base, int dim, int vectorEnd) {
        FloatVector acc = FloatVector.zero(SPECIES);
        // Two accumulators (even and odd vectors) halve the add-latency chain; they are joined in a fixed order.
        FloatVector odd = acc;
        int i = 0;
        for (; i + 2 * LANES <= vectorEnd; i += 2 * LANES) {
            long at = base + (long) i * Float.BYTES;
            acc = acc.add(FloatVector.fromMemorySegment(SPECIES, x, at, ORDER));
            odd = odd.add(FloatVector.fromMemorySegment(SPECIES, x, at + VECTOR_BYTES, ORDER));
        }
        if (i < vectorEnd) {
            acc = acc.add(FloatVector.fromMemorySegment(SPECIES, x, base + (long) i * Float.BYTES, ORDER));
            i += LANES;
        }
        float sum = VectorFunctions.sum(acc.add(odd));
        for (; i < dim; i++) {
            sum += x.get(F, base + (long) i * Float.BYTES);
        }
        return sum;
    }

    /** Σ (x − mean)², in the order of {@link #sum}; the square and the add are one fma. */
    private static float centredSquares(MemorySegment x, long base, int dim, int vectorEnd, float mean) {
        FloatVector meanV = FloatVector.broadcast(SPECIES, mean);
        FloatVector acc = FloatVector.zero(SPECIES);
        FloatVector odd = acc;
        int i = 0;
        for (; i + 2 * LANES <= vectorEnd; i += 2 * LANES) {
            long at = base + (long) i * Float.BYTES;
            FloatVector c0 = FloatVector.fromMemorySegment(SPECIES, x, at, ORDER).sub(meanV);
            FloatVector c1 = FloatVector.fromMemorySegment(SPECIES, x, at + VECTOR_BYTES, ORDER).sub(meanV);
            acc = c0.fma(c0, acc);
            odd = c1.fma(c1, odd);
        }
        if (i < vectorEnd) {
            FloatVector c = FloatVector.fromMemorySegment(SPECIES, x, base + (long) i * Float.BYTES, ORDER).sub(meanV);
            acc = c.fma(c, acc);
            i += LANES;
        }
        float squares = VectorFunctions.sum(acc.add(odd));
        for (; i < dim; i++) {
            float c = x.get(F, base + (long) i * Float.BYTES) - mean;
            squares = Math.fma(c, c, squares);
        }
        return squares;
    }

    // ---------------------------------------------------------------- softmax

    static void softmax(Tensor x, Tensor out, WorkerPool pool) {
        SOFTMAXES.get().run(x, out, pool);
    }

    /** A softmax split by rows. */
    private static final class Softmax extends WorkerPool.Call {
        private MemorySegment x;
        private MemorySegment out;
        private int dim;

        void run(Tensor x, Tensor out, WorkerPool pool) {
            this.x = x.segment();
            this.out = out.segment();
            this.dim = x.shape().dim(-1);
            split(pool, WorkerPool.Work.ELEMENTS, x.size(), x.size() / dim, this.x, this.out, null, null);
        }

        @Override
        void run(long from, long to) {
            softmaxRows(x, out, dim, from, to);
        }

        @Override
        void clear() {
            x = out = null;
        }
    }

    private static void softmaxRows(MemorySegment x, MemorySegment out, int dim, long from, long to) {
        for (long r = from; r < to; r++) {
            softmaxRow(x, out, r * dim * Float.BYTES, dim);
        }
    }

    /**
     * One row: the maximum (exact in any order), {@code e = exp(x − max)} stored in out and summed,
     * then {@code out = e / sum} as the reference divides. {@code −∞} entries give
     * {@code exp(−∞) = 0} exactly. Each element is read before its output is written, so out may be
     * x. Three methods of scalar arguments, each small enough for C2 to inline its vector helpers.
     */
    private static void softmaxRow(MemorySegment x, MemorySegment out, long base, int dim) {
        softmaxRow(x, out, base, dim, dim);
    }

    /**
     * {@link #softmaxRow} of a row whose elements from {@code visible} on are {@code −∞} (masked),
     * reading and writing only as far as needed: the whole vectors up to the one holding element
     * {@code visible − 1}, and the elements past the row's last whole vector up to {@code visible}.
     * The skipped elements would only have added exact zeros to the sums (which start at +0, so no
     * −0 can meet them), so the outputs before {@code visible} are the full row's bits; those after
     * it are left as they were. In the vector that holds {@code visible − 1}, the elements after it
     * must be −∞ (they become +0).
     */
    static void softmaxRow(MemorySegment x, MemorySegment out, long base, int dim, int visible) {
        int vectorEnd = dim - dim % LANES;
        int vectorsEnd = Math.min(vectorEnd, (visible + LANES - 1) / LANES * LANES);
        float max = max(x, base, visible, vectorEnd, vectorsEnd);
        float sum = expAndSum(x, out, base, visible, vectorEnd, vectorsEnd, max);
        divide(out, base, visible, vectorEnd, vectorsEnd, sum);
    }

    /** Over the whole vectors before {@code vectorsEnd}, then elements {@code [vectorEnd, end)}. */
    private static float max(MemorySegment x, long base, int end, int vectorEnd, int vectorsEnd) {
        FloatVector maxV = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < vectorsEnd; i += LANES) {
            maxV = maxV.max(FloatVector.fromMemorySegment(SPECIES, x, base + (long) i * Float.BYTES, ORDER));
        }
        // MAX is exact and order-free (ties of ±0 aside, which give the same exp), so reduceLanes is safe here.
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (int i = vectorEnd; i < end; i++) {
            max = Math.max(max, x.get(F, base + (long) i * Float.BYTES));
        }
        return max;
    }

    /**
     * {@code out = exp(x − max)} and its sum, in the order of {@link #sum}: lane-wise over the whole
     * vectors, {@link VectorFunctions#sum}, then the last elements one by one, through the scalar
     * twin of the vector exp (the same bits as a lane).
     */
    private static float expAndSum(MemorySegment x, MemorySegment out, long base, int end, int vectorEnd,
                                   int vectorsEnd, float max) {
        FloatVector maxV = FloatVector.broadcast(SPECIES, max);
        FloatVector acc = FloatVector.zero(SPECIES);
        for (int i = 0; i < vectorsEnd; i += LANES) {
            long at = base + (long) i * Float.BYTES;
            FloatVector e = VectorFunctions.exp(FloatVector.fromMemorySegment(SPECIES, x, at, ORDER).sub(maxV));
            e.intoMemorySegment(out, at, ORDER);
            acc = acc.add(e);
        }
        float sum = VectorFunctions.sum(acc);
        for (int i = vectorEnd; i < end; i++) {
            long at = base + (long) i * Float.BYTES;
            float e = VectorFunctions.exp(x.get(F, at) - max);
            out.set(F, at, e);
            sum += e;
        }
        return sum;
    }

    private static void divide(MemorySegment out, long base, int end, int vectorEnd, int vectorsEnd, float sum) {
        FloatVector sumV = FloatVector.broadcast(SPECIES, sum);
        for (int i = 0; i < vectorsEnd; i += LANES) {
            long at = base + (long) i * Float.BYTES;
            FloatVector.fromMemorySegment(SPECIES, out, at, ORDER).div(sumV).intoMemorySegment(out, at, ORDER);
        }
        for (int i = vectorEnd; i < end; i++) {
            long at = base + (long) i * Float.BYTES;
            out.set(F, at, out.get(F, at) / sum);
        }
    }
}
