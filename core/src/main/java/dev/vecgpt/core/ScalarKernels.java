package dev.vecgpt.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The reference kernels: plain loops that define what every kernel computes. They are meant to be
 * read, not to be fast; faster kernels are tested against them.
 */
public final class ScalarKernels implements Kernels {

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
     * one a float32 copy of W with every value rounded to bfloat16.
     */
    @Override
    public PackedWeight pack(Tensor w, WeightFormat format, Arena arena) {
        if (format == WeightFormat.F32) {
            return new Unpacked(w, format);
        }
        Tensor rounded = Tensor.allocate(arena, w.shape());
        for (long i = 0; i < w.size(); i++) {
            rounded.set(i, WeightFormat.roundToBf16(w.get(i)));
        }
        return new Unpacked(rounded, format);
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
}
