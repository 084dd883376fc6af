package dev.vecgpt.core;

import java.lang.foreign.Arena;
import java.util.Objects;

/**
 * Validates every kernel call, then delegates. A bad call throws before any output is written,
 * naming the argument and the bad value, so the kernels themselves can stay free of checks.
 */
public final class CheckedKernels implements Kernels {

    private final Kernels delegate;

    public CheckedKernels(Kernels delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The unchecked kernels behind this wrapper. */
    public Kernels delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public int threads() {
        return delegate.threads();
    }

    @Override
    public Kernels withThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + ", must be >= 1");
        }
        return new CheckedKernels(delegate.withThreads(threads));
    }

    @Override
    public void gather(Tensor table, int[] ids, Tensor out) {
        requireAlive("gather", "table", table);
        requireAlive("gather", "out", out);
        Objects.requireNonNull(ids, "gather: ids");
        if (table.shape().rank() != 2) {
            throw new IllegalArgumentException("gather: table must be [V, D], got " + table.shape());
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("gather: ids is empty");
        }
        int vocab = table.shape().dim(0);
        int dim = table.shape().dim(1);
        if (out.shape().dim(-1) != dim || out.size() != (long) ids.length * dim) {
            throw new IllegalArgumentException("gather: out " + out.shape() + " must hold " + ids.length
                    + " rows of " + dim + " (table " + table.shape() + ")");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IndexOutOfBoundsException("gather: ids[" + i + "] = " + ids[i]
                        + " is outside the table's " + vocab + " rows [0, " + vocab + ")");
            }
        }
        requireDisjoint("gather", "table", table, out);
        delegate.gather(table, ids, out);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        requireAlive("add", "a", a);
        requireAlive("add", "b", b);
        requireAlive("add", "out", out);
        if (!a.shape().endsWith(b.shape())) {
            throw new IllegalArgumentException("add: b " + b.shape() + " must equal a " + a.shape()
                    + " or its trailing dimensions");
        }
        if (!out.shape().equals(a.shape())) {
            throw new IllegalArgumentException("add: out " + out.shape() + " must have a's shape " + a.shape());
        }
        requireSameOrDisjoint("add", "a", a, out);
        requireSameOrDisjoint("add", "b", b, out);
        delegate.add(a, b, out);
    }

    @Override
    public void matmul(Tensor x, Tensor w, Tensor y) {
        requireAlive("matmul", "w", w);
        checkMatmul(x, w.shape(), y);
        requireDisjoint("matmul", "w", w, y);
        delegate.matmul(x, w, y);
    }

    @Override
    public PackedWeight pack(Tensor w, WeightFormat format, Arena arena) {
        requireAlive("pack", "w", w);
        Objects.requireNonNull(format, "pack: format");
        Objects.requireNonNull(arena, "pack: arena");
        if (w.shape().rank() != 2) {
            throw new IllegalArgumentException("pack: w must be [N, K], got " + w.shape());
        }
        return delegate.pack(w, format, arena);
    }

    @Override
    public void matmul(Tensor x, PackedWeight w, Tensor y) {
        Objects.requireNonNull(w, "matmul: w");
        if (!w.isAlive()) {
            throw new IllegalStateException("matmul: packed w " + w.shape() + " belongs to a closed arena");
        }
        if (!w.packedBy().equals(delegate.name())) {
            throw new IllegalArgumentException("matmul: w was packed by the " + w.packedBy()
                    + " kernels, these are " + delegate.name() + "; pack it with these kernels");
        }
        checkMatmul(x, w.shape(), y);
        delegate.matmul(x, w, y);
    }

    private static void checkMatmul(Tensor x, Shape w, Tensor y) {
        requireAlive("matmul", "x", x);
        requireAlive("matmul", "y", y);
        if (w.rank() != 2) {
            throw new IllegalArgumentException("matmul: w must be [N, K], got " + w);
        }
        int k = w.dim(1);
        if (x.shape().dim(-1) != k) {
            throw new IllegalArgumentException("matmul: x " + x.shape() + " has last dimension " + x.shape().dim(-1)
                    + ", w " + w + " needs " + k);
        }
        int[] expected = x.shape().dims();
        expected[expected.length - 1] = w.dim(0);
        if (!y.shape().equals(Shape.of(expected))) {
            throw new IllegalArgumentException("matmul: y " + y.shape() + " must be " + Shape.of(expected)
                    + " for x " + x.shape() + " and w " + w);
        }
        requireDisjoint("matmul", "x", x, y);
    }

    private static void requireAlive(String op, String name, Tensor t) {
        Objects.requireNonNull(t, op + ": " + name);
        if (!t.isAlive()) {
            throw new IllegalStateException(op + ": " + name + " " + t.shape() + " belongs to a closed arena");
        }
    }

    private static void requireDisjoint(String op, String name, Tensor in, Tensor out) {
        if (in.segment().asOverlappingSlice(out.segment()).isPresent()) {
            throw new IllegalArgumentException(op + ": out overlaps " + name + "; use a separate output tensor");
        }
    }

    /** Element-wise kernels may write in place, but not into a shifted view of an input. */
    private static void requireSameOrDisjoint(String op, String name, Tensor in, Tensor out) {
        boolean same = in.segment().address() == out.segment().address()
                && in.segment().byteSize() == out.segment().byteSize();
        if (!same) {
            requireDisjoint(op, name, in, out);
        }
    }
}
