package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * The small backward kernels: the embedding's, the bias's and the layer norm's (sums over rows, run on
 * the caller's thread in row order, so the bits never depend on the thread count), GELU's and the
 * element-wise product (each element on its own, split over the threads).
 */
final class Gradients {

    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;
    private static final float GELU_SCALE = (float) Math.sqrt(2 / Math.PI);
    private static final float GELU_CUBE = 0.044715f;
    /** Below this many elements an element-wise call runs on the caller's thread. */
    private static final long PARALLEL_ELEMENTS = 1L << 16;

    private Gradients() {}

    /** {@code dTable[ids[i]] += dOut[i]}, rows in order. */
    static void embedding(Tensor dOut, int[] ids, Tensor dTable) {
        long rowBytes = (long) dTable.shape().dim(-1) * Float.BYTES;
        for (int i = 0; i < ids.length; i++) {
            addRow(dOut.segment(), i * rowBytes, dTable.segment(), ids[i] * rowBytes, rowBytes);
        }
    }

    /** {@code db += dy[m]} for every row m in order. */
    static void bias(Tensor dy, Tensor db) {
        long rowBytes = db.size() * Float.BYTES;
        long rows = dy.size() / db.size();
        for (long m = 0; m < rows; m++) {
            addRow(dy.segment(), m * rowBytes, db.segment(), 0, rowBytes);
        }
    }

    /** {@code to[toAt..] += from[fromAt..]} over {@code bytes} (offsets in bytes). */
    static void addRow(MemorySegment from, long fromAt, MemorySegment to, long toAt, long bytes) {
        long b = 0;
        for (; b + VECTOR_BYTES <= bytes; b += VECTOR_BYTES) {
            FloatVector.fromMemorySegment(SPECIES, to, toAt + b, ORDER)
                    .add(FloatVector.fromMemorySegment(SPECIES, from, fromAt + b, ORDER))
                    .intoMemorySegment(to, toAt + b, ORDER);
        }
        for (; b < bytes; b += Float.BYTES) {
            to.set(F, toAt + b, to.get(F, toAt + b) + from.get(F, fromAt + b));
        }
    }

    /** The reference's layer norm backward, the row's sums vectorized (so within float rounding of it). */
    static void layerNorm(Tensor dOut, Tensor x, Tensor scale, float eps, Tensor dx, Tensor dScale, Tensor dShift) {
        int dim = scale.shape().dim(0);
        long rows = x.size() / dim;
        int vectorEnd = dim - dim % LANES;
        MemorySegment xs = x.segment();
        MemorySegment gs = dOut.segment();
        MemorySegment ss = scale.segment();
        MemorySegment dxs = dx.segment();
        MemorySegment dss = dScale.segment();
        MemorySegment dhs = dShift.segment();
        for (long r = 0; r < rows; r++) {
            long base = r * dim * Float.BYTES;
            FloatVector acc = FloatVector.zero(SPECIES);
            int i = 0;
            for (; i < vectorEnd; i += LANES) {
                acc = acc.add(FloatVector.fromMemorySegment(SPECIES, xs, base + (long) i * Float.BYTES, ORDER));
            }
            float sum = VectorFunctions.sum(acc);
            for (; i < dim; i++) {
                sum += xs.get(F, base + (long) i * Float.BYTES);
            }
            float mean = sum / dim;
            acc = FloatVector.zero(SPECIES);
            for (i = 0; i < vectorEnd; i += LANES) {
                FloatVector c = FloatVector.fromMemorySegment(SPECIES, xs, base + (long) i * Float.BYTES, ORDER).sub(mean);
                acc = c.fma(c, acc);
            }
            float squares = VectorFunctions.sum(acc);
            for (; i < dim; i++) {
                float c = xs.get(F, base + (long) i * Float.BYTES) - mean;
                squares += c * c;
            }
            float std = (float) Math.sqrt(squares / dim + eps);
            FloatVector sumG = FloatVector.zero(SPECIES);
            FloatVector sumGX = FloatVector.zero(SPECIES);
            for (i = 0; i < vectorEnd; i += LANES) {
                long at = base + (long) i * Float.BYTES;
                long p = (long) i * Float.BYTES;
                FloatVector normed = FloatVector.fromMemorySegment(SPECIES, xs, at, ORDER).sub(mean).div(std);
                FloatVector d = FloatVector.fromMemorySegment(SPECIES, gs, at, ORDER);
                FloatVector g = d.mul(FloatVector.fromMemorySegment(SPECIES, ss, p, ORDER));
                sumG = sumG.add(g);
                sumGX = g.fma(normed, sumGX);
                d.fma(normed, FloatVector.fromMemorySegment(SPECIES, dss, p, ORDER)).intoMemorySegment(dss, p, ORDER);
                d.add(FloatVector.fromMemorySegment(SPECIES, dhs, p, ORDER)).intoMemorySegment(dhs, p, ORDER);
            }
            float meanG = VectorFunctions.sum(sumG);
            float meanGX = VectorFunctions.sum(sumGX);
            for (; i < dim; i++) {
                long at = base + (long) i * Float.BYTES;
                long p = (long) i * Float.BYTES;
                float normed = (xs.get(F, at) - mean) / std;
                float d = gs.get(F, at);
                float g = d * ss.get(F, p);
                meanG += g;
                meanGX += g * normed;
                dss.set(F, p, dss.get(F, p) + d * normed);
                dhs.set(F, p, dhs.get(F, p) + d);
            }
            meanG /= dim;
            meanGX /= dim;
            for (i = 0; i < vectorEnd; i += LANES) {
                long at = base + (long) i * Float.BYTES;
                FloatVector normed = FloatVector.fromMemorySegment(SPECIES, xs, at, ORDER).sub(mean).div(std);
                FloatVector g = FloatVector.fromMemorySegment(SPECIES, gs, at, ORDER)
                        .mul(FloatVector.fromMemorySegment(SPECIES, ss, (long) i * Float.BYTES, ORDER));
                g.sub(meanG).sub(normed.mul(meanGX)).div(std)
                        .add(FloatVector.fromMemorySegment(SPECIES, dxs, at, ORDER)).intoMemorySegment(dxs, at, ORDER);
            }
            for (; i < dim; i++) {
                long at = base + (long) i * Float.BYTES;
                float normed = (xs.get(F, at) - mean) / std;
                float g = gs.get(F, at) * ss.get(F, (long) i * Float.BYTES);
                dxs.set(F, at, dxs.get(F, at) + (g - meanG - normed * meanGX) / std);
            }
        }
    }

    /** Element-wise kernels, split over the threads in runs of whole vectors. */
    private interface Range {
        void run(long from, long to);
    }

    private static void split(long n, WorkerPool pool, Range range, MemorySegment... segments) {
        boolean shareable = true;
        for (MemorySegment s : segments) {
            shareable &= pool.canShare(s);
        }
        long vectors = (n + LANES - 1) / LANES;
        int parts = n < PARALLEL_ELEMENTS || !shareable ? 1 : (int) Math.min(pool.threads(), vectors);
        if (parts == 1) {
            range.run(0, n);
            return;
        }
        pool.run(parts, (part, all) -> range.run(Math.min(n, vectors * part / all * LANES),
                Math.min(n, vectors * (part + 1) / all * LANES)));
    }

    /** {@code out = a · b}, element by element. */
    static void mul(Tensor a, Tensor b, Tensor out, WorkerPool pool) {
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment os = out.segment();
        split(a.size(), pool, (from, to) -> {
            long i = from;
            for (; i + LANES <= to; i += LANES) {
                long at = i * Float.BYTES;
                FloatVector.fromMemorySegment(SPECIES, as, at, ORDER).mul(FloatVector.fromMemorySegment(SPECIES, bs, at, ORDER))
                        .intoMemorySegment(os, at, ORDER);
            }
            for (; i < to; i++) {
                os.setAtIndex(F, i, as.getAtIndex(F, i) * bs.getAtIndex(F, i));
            }
        }, as, bs, os);
    }

    /** {@code dx = dOut · gelu'(x)}, the reference's formula with the vectorized tanh (within an ulp of it). */
    static void gelu(Tensor dOut, Tensor x, Tensor dx, WorkerPool pool) {
        MemorySegment gs = dOut.segment();
        MemorySegment xs = x.segment();
        MemorySegment ds = dx.segment();
        split(x.size(), pool, (from, to) -> {
            long i = from;
            for (; i + LANES <= to; i += LANES) {
                long at = i * Float.BYTES;
                FloatVector v = FloatVector.fromMemorySegment(SPECIES, xs, at, ORDER);
                FloatVector v2 = v.mul(v);
                FloatVector tanh = VectorFunctions.tanh(v.add(v2.mul(v).mul(GELU_CUBE)).mul(GELU_SCALE));
                FloatVector innerSlope = v2.mul(3f * GELU_CUBE).add(1f).mul(GELU_SCALE);
                FloatVector slope = tanh.add(1f).mul(0.5f)
                        .add(v.mul(0.5f).mul(tanh.mul(tanh).neg().add(1f)).mul(innerSlope));
                FloatVector.fromMemorySegment(SPECIES, gs, at, ORDER).mul(slope).intoMemorySegment(ds, at, ORDER);
            }
            for (; i < to; i++) {
                float v = xs.getAtIndex(F, i);
                float tanh = VectorFunctions.tanh(GELU_SCALE * (v + GELU_CUBE * (v * v * v)));
                float innerSlope = GELU_SCALE * (1f + 3f * GELU_CUBE * (v * v));
                float slope = 0.5f * (1f + tanh) + 0.5f * v * (1f - tanh * tanh) * innerSlope;
                ds.setAtIndex(F, i, gs.getAtIndex(F, i) * slope);
            }
        }, gs, xs, ds);
    }
}
