package dev.vecgpt.core;

import java.lang.foreign.Arena;
import java.util.Objects;

/**
 * Validates every kernel call, then delegates. A bad call throws before any output is written,
 * naming the argument and the bad value, so the kernels themselves can stay free of checks.
 */
final class CheckedKernels implements Kernels {

    private final Kernels delegate;
    /** False for the JVM's shared kernels, which no user may close. */
    private final boolean owner;

    CheckedKernels(Kernels delegate, boolean owner) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.owner = owner;
    }

    @Override
    public void close() {
        if (owner) {
            delegate.close();
        }
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
        Kernels limited = delegate.withThreads(threads);
        return limited == delegate ? this : new CheckedKernels(limited, true);
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
    public void repack(Tensor w, PackedWeight packed) {
        requireAlive("repack", "w", w);
        Objects.requireNonNull(packed, "repack: packed");
        if (!packed.isAlive()) {
            throw new IllegalStateException("repack: packed " + packed.shape() + " belongs to a closed arena");
        }
        if (!packed.packedBy().equals(delegate.name())) {
            throw new IllegalArgumentException("repack: packed was packed by the " + packed.packedBy()
                    + " kernels, these are " + delegate.name());
        }
        if (!w.shape().equals(packed.shape())) {
            throw new IllegalArgumentException("repack: w " + w.shape() + " must have packed's shape " + packed.shape());
        }
        delegate.repack(w, packed);
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

    @Override
    public void layerNorm(Tensor x, Tensor scale, Tensor shift, float eps, Tensor out) {
        requireAlive("layerNorm", "x", x);
        requireAlive("layerNorm", "scale", scale);
        requireAlive("layerNorm", "shift", shift);
        requireAlive("layerNorm", "out", out);
        int dim = x.shape().dim(-1);
        if (!isVector(scale.shape(), dim) || !isVector(shift.shape(), dim)) {
            throw new IllegalArgumentException("layerNorm: scale " + scale.shape() + " and shift " + shift.shape()
                    + " must be [" + dim + "] for x " + x.shape());
        }
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("layerNorm: eps " + eps + " must be finite and >= 0");
        }
        requireSameShape("layerNorm", x, out);
        requireSameOrDisjoint("layerNorm", "x", x, out);
        delegate.layerNorm(x, scale, shift, eps, out);
    }

    @Override
    public void gelu(Tensor x, Tensor out) {
        checkElementwise("gelu", x, out);
        delegate.gelu(x, out);
    }

    @Override
    public void attentionScores(Tensor q, Tensor k, int heads, Tensor scores) {
        requireAlive("attentionScores", "q", q);
        requireAlive("attentionScores", "k", k);
        requireAlive("attentionScores", "scores", scores);
        requireHeads("attentionScores", "q", q, heads);
        requireHeads("attentionScores", "k", k, heads);
        int batch = q.shape().dim(0);
        int queries = q.shape().dim(1);
        int keys = k.shape().dim(1);
        if (k.shape().dim(0) != batch || k.shape().dim(2) != q.shape().dim(2) || keys < queries) {
            throw new IllegalArgumentException("attentionScores: k " + k.shape() + " must be [" + batch + ", S >= "
                    + queries + ", " + q.shape().dim(2) + "] for q " + q.shape());
        }
        Shape expected = Shape.of(batch, heads, queries, keys);
        if (!scores.shape().equals(expected)) {
            throw new IllegalArgumentException("attentionScores: scores " + scores.shape() + " must be " + expected);
        }
        requireDisjoint("attentionScores", "q", q, scores);
        requireDisjoint("attentionScores", "k", k, scores);
        delegate.attentionScores(q, k, heads, scores);
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        checkElementwise("softmax", x, out);
        delegate.softmax(x, out);
    }

    @Override
    public void attentionValues(Tensor weights, Tensor v, int heads, Tensor out) {
        requireAlive("attentionValues", "weights", weights);
        requireAlive("attentionValues", "v", v);
        requireAlive("attentionValues", "out", out);
        requireHeads("attentionValues", "v", v, heads);
        int batch = v.shape().dim(0);
        int keys = v.shape().dim(1);
        if (weights.shape().rank() != 4 || weights.shape().dim(0) != batch || weights.shape().dim(1) != heads
                || weights.shape().dim(3) != keys) {
            throw new IllegalArgumentException("attentionValues: weights " + weights.shape() + " must be ["
                    + batch + ", " + heads + ", T, " + keys + "] for v " + v.shape());
        }
        Shape expected = Shape.of(batch, weights.shape().dim(2), v.shape().dim(2));
        if (!out.shape().equals(expected)) {
            throw new IllegalArgumentException("attentionValues: out " + out.shape() + " must be " + expected);
        }
        requireDisjoint("attentionValues", "weights", weights, out);
        requireDisjoint("attentionValues", "v", v, out);
        delegate.attentionValues(weights, v, heads, out);
    }

    @Override
    public void attention(Tensor q, Tensor kT, Tensor v, int keys, int heads, Tensor out) {
        requireAlive("attention", "q", q);
        requireAlive("attention", "kT", kT);
        requireAlive("attention", "v", v);
        requireAlive("attention", "out", out);
        requireHeads("attention", "q", q, heads);
        requireHeads("attention", "v", v, heads);
        Shape qs = q.shape();
        if (kT.shape().rank() != 3 || kT.shape().dim(0) != qs.dim(0) || kT.shape().dim(1) != qs.dim(2)) {
            throw new IllegalArgumentException("attention: kT " + kT.shape() + " must be [" + qs.dim(0) + ", "
                    + qs.dim(2) + ", S] (keys transposed) for q " + qs);
        }
        if (v.shape().dim(0) != qs.dim(0) || v.shape().dim(2) != qs.dim(2)) {
            throw new IllegalArgumentException("attention: v " + v.shape() + " must be [" + qs.dim(0) + ", S, "
                    + qs.dim(2) + "] for q " + qs);
        }
        int queries = qs.dim(1);
        int positions = Math.min(kT.shape().dim(2), v.shape().dim(1));
        if (keys < queries || keys > positions) {
            throw new IllegalArgumentException("attention: keys is " + keys + ", must be in [" + queries + ", "
                    + positions + "]: at least q's " + queries + " positions, at most what kT " + kT.shape()
                    + " and v " + v.shape() + " hold");
        }
        requireSameShape("attention", q, out);
        requireDisjoint("attention", "q", q, out);
        requireDisjoint("attention", "kT", kT, out);
        requireDisjoint("attention", "v", v, out);
        delegate.attention(q, kT, v, keys, heads, out);
    }

    @Override
    public void transposeInto(Tensor x, Tensor xT, int at) {
        requireAlive("transposeInto", "x", x);
        requireAlive("transposeInto", "xT", xT);
        Shape xs = x.shape();
        Shape ts = xT.shape();
        if (xs.rank() != 3 || ts.rank() != 3 || ts.dim(0) != xs.dim(0) || ts.dim(1) != xs.dim(2)) {
            throw new IllegalArgumentException("transposeInto: xT " + ts + " must be [" + xs.dim(0) + ", "
                    + xs.dim(-1) + ", S] for x " + xs + " [B, T, D]");
        }
        if (at < 0 || at > ts.dim(2) - xs.dim(1)) {
            throw new IllegalArgumentException("transposeInto: at is " + at + ", must be in [0, "
                    + (ts.dim(2) - xs.dim(1)) + "] for " + xs.dim(1) + " rows into " + ts.dim(2) + " columns");
        }
        requireDisjoint("transposeInto", "x", x, xT);
        delegate.transposeInto(x, xT, at);
    }

    @Override
    public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        requireAlive("embeddingBackward", "dOut", dOut);
        requireAlive("embeddingBackward", "dTable", dTable);
        Objects.requireNonNull(ids, "embeddingBackward: ids");
        if (dTable.shape().rank() != 2) {
            throw new IllegalArgumentException("embeddingBackward: dTable must be [V, D], got " + dTable.shape());
        }
        int vocab = dTable.shape().dim(0);
        int dim = dTable.shape().dim(1);
        if (dOut.shape().dim(-1) != dim || dOut.size() != (long) ids.length * dim) {
            throw new IllegalArgumentException("embeddingBackward: dOut " + dOut.shape() + " must hold " + ids.length
                    + " rows of " + dim + " (dTable " + dTable.shape() + ")");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new IndexOutOfBoundsException("embeddingBackward: ids[" + i + "] = " + ids[i]
                        + " is outside the table's " + vocab + " rows [0, " + vocab + ")");
            }
        }
        requireDisjoint("embeddingBackward", "dOut", dOut, dTable);
        delegate.embeddingBackward(dOut, ids, dTable);
    }

    @Override
    public void matmulBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        String op = "matmulBackwardInput";
        requireAlive(op, "dy", dy);
        requireAlive(op, "w", w);
        requireAlive(op, "dx", dx);
        requireMatrix(op, "w", w);
        requireRows(op, "dy", dy, w.shape().dim(0));
        requireRows(op, "dx", dx, w.shape().dim(1));
        requireSameRows(op, dy, dx);
        requireDisjoint(op, "dy", dy, dx);
        requireDisjoint(op, "w", w, dx);
        delegate.matmulBackwardInput(dy, w, dx);
    }

    @Override
    public void matmulBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        String op = "matmulBackwardWeight";
        requireAlive(op, "dy", dy);
        requireAlive(op, "x", x);
        requireAlive(op, "dw", dw);
        requireMatrix(op, "dw", dw);
        requireRows(op, "dy", dy, dw.shape().dim(0));
        requireRows(op, "x", x, dw.shape().dim(1));
        requireSameRows(op, dy, x);
        requireDisjoint(op, "dy", dy, dw);
        requireDisjoint(op, "x", x, dw);
        delegate.matmulBackwardWeight(dy, x, dw);
    }

    @Override
    public void biasBackward(Tensor dy, Tensor db) {
        requireAlive("biasBackward", "dy", dy);
        requireAlive("biasBackward", "db", db);
        if (db.shape().rank() != 1) {
            throw new IllegalArgumentException("biasBackward: db must be [N], got " + db.shape());
        }
        requireRows("biasBackward", "dy", dy, db.shape().dim(0));
        requireDisjoint("biasBackward", "dy", dy, db);
        delegate.biasBackward(dy, db);
    }

    @Override
    public void layerNormBackward(Tensor dOut, Tensor x, Tensor scale, float eps, Tensor dx, Tensor dScale,
                                  Tensor dShift) {
        String op = "layerNormBackward";
        requireAlive(op, "dOut", dOut);
        requireAlive(op, "x", x);
        requireAlive(op, "scale", scale);
        requireAlive(op, "dx", dx);
        requireAlive(op, "dScale", dScale);
        requireAlive(op, "dShift", dShift);
        int dim = x.shape().dim(-1);
        if (!isVector(scale.shape(), dim) || !isVector(dScale.shape(), dim) || !isVector(dShift.shape(), dim)) {
            throw new IllegalArgumentException(op + ": scale " + scale.shape() + ", dScale " + dScale.shape()
                    + " and dShift " + dShift.shape() + " must be [" + dim + "] for x " + x.shape());
        }
        if (!(eps >= 0) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException(op + ": eps " + eps + " must be finite and >= 0");
        }
        requireShape(op, "dOut", dOut, x.shape());
        requireShape(op, "dx", dx, x.shape());
        requireDisjoint(op, "dOut", dOut, dx);
        requireDisjoint(op, "x", x, dx);
        for (Tensor grad : new Tensor[] {dScale, dShift}) {
            requireDisjoint(op, "dOut", dOut, grad);
            requireDisjoint(op, "x", x, grad);
            requireDisjoint(op, "dx", dx, grad);
        }
        requireDisjoint(op, "dScale", dScale, dShift);
        delegate.layerNormBackward(dOut, x, scale, eps, dx, dScale, dShift);
    }

    @Override
    public void geluBackward(Tensor dOut, Tensor x, Tensor dx) {
        requireAlive("geluBackward", "dOut", dOut);
        checkElementwise("geluBackward", x, dx);
        requireShape("geluBackward", "dOut", dOut, x.shape());
        requireSameOrDisjoint("geluBackward", "dOut", dOut, dx);
        delegate.geluBackward(dOut, x, dx);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        requireAlive("mul", "b", b);
        checkElementwise("mul", a, out);
        requireShape("mul", "b", b, a.shape());
        requireSameOrDisjoint("mul", "b", b, out);
        delegate.mul(a, b, out);
    }

    @Override
    public void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor mask, int heads,
                                  Tensor dq, Tensor dk, Tensor dv) {
        String op = "attentionBackward";
        Tensor[] inputs = {dOut, q, k, v, probs, mask};
        String[] inputNames = {"dOut", "q", "k", "v", "probs", "mask"};
        Tensor[] outputs = {dq, dk, dv};
        String[] outputNames = {"dq", "dk", "dv"};
        for (int i = 0; i < inputs.length; i++) {
            requireAlive(op, inputNames[i], inputs[i]);
        }
        for (int i = 0; i < outputs.length; i++) {
            requireAlive(op, outputNames[i], outputs[i]);
        }
        requireHeads(op, "q", q, heads);
        Shape stream = q.shape();
        for (int i = 0; i < 4; i++) { // dOut, q, k, v
            requireShape(op, inputNames[i], inputs[i], stream);
        }
        Shape weights = Shape.of(stream.dim(0), heads, stream.dim(1), stream.dim(1));
        requireShape(op, "probs", probs, weights);
        requireShape(op, "mask", mask, weights);
        for (int o = 0; o < outputs.length; o++) {
            requireShape(op, outputNames[o], outputs[o], stream);
            for (int i = 0; i < inputs.length; i++) {
                requireDisjoint(op, inputNames[i], inputs[i], outputs[o]);
            }
            for (int other = o + 1; other < outputs.length; other++) {
                requireDisjoint(op, outputNames[other], outputs[other], outputs[o]);
            }
        }
        delegate.attentionBackward(dOut, q, k, v, probs, mask, heads, dq, dk, dv);
    }

    @Override
    public float crossEntropy(Tensor logits, int[] targets, Tensor dLogits) {
        requireAlive("crossEntropy", "logits", logits);
        Objects.requireNonNull(targets, "crossEntropy: targets");
        int vocab = logits.shape().dim(-1);
        if (targets.length == 0 || logits.size() != (long) targets.length * vocab) {
            throw new IllegalArgumentException("crossEntropy: logits " + logits.shape() + " must hold one row of "
                    + vocab + " per target, and there are " + targets.length + " targets");
        }
        for (int i = 0; i < targets.length; i++) {
            if ((targets[i] < 0 || targets[i] >= vocab) && targets[i] != IGNORE_INDEX) {
                throw new IndexOutOfBoundsException("crossEntropy: targets[" + i + "] = " + targets[i]
                        + " is outside [0, " + vocab + ") and is not the ignored " + IGNORE_INDEX);
            }
        }
        if (dLogits != null) {
            requireAlive("crossEntropy", "dLogits", dLogits);
            requireShape("crossEntropy", "dLogits", dLogits, logits.shape());
            requireSameOrDisjoint("crossEntropy", "logits", logits, dLogits);
        }
        return delegate.crossEntropy(logits, targets, dLogits);
    }

    private static void requireMatrix(String op, String name, Tensor t) {
        if (t.shape().rank() != 2) {
            throw new IllegalArgumentException(op + ": " + name + " must be [N, K], got " + t.shape());
        }
    }

    /** {@code t}'s rows, its leading dimensions flattened, are {@code width} wide. */
    private static void requireRows(String op, String name, Tensor t, int width) {
        if (t.shape().dim(-1) != width) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.shape() + " must have last dimension "
                    + width);
        }
    }

    private static void requireSameRows(String op, Tensor a, Tensor b) {
        long rowsA = a.size() / a.shape().dim(-1);
        long rowsB = b.size() / b.shape().dim(-1);
        if (rowsA != rowsB) {
            throw new IllegalArgumentException(op + ": " + a.shape() + " and " + b.shape()
                    + " must have as many rows (" + rowsA + " against " + rowsB + ")");
        }
    }

    private static void requireShape(String op, String name, Tensor t, Shape expected) {
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.shape() + " must be " + expected);
        }
    }

    /** Whether {@code shape} is {@code [n]}; compared in place, as this runs on every call of a decode step. */
    private static boolean isVector(Shape shape, int n) {
        return shape.rank() == 1 && shape.dim(0) == n;
    }

    private static void requireHeads(String op, String name, Tensor t, int heads) {
        if (t.shape().rank() != 3) {
            throw new IllegalArgumentException(op + ": " + name + " must be [B, T, D], got " + t.shape());
        }
        if (heads < 1 || t.shape().dim(2) % heads != 0) {
            throw new IllegalArgumentException(op + ": " + heads + " heads do not divide " + name + "'s width "
                    + t.shape().dim(2));
        }
    }

    /** For kernels that map {@code x} to an {@code out} of its shape, possibly in place. */
    private static void checkElementwise(String op, Tensor x, Tensor out) {
        requireAlive(op, "x", x);
        requireAlive(op, "out", out);
        requireSameShape(op, x, out);
        requireSameOrDisjoint(op, "x", x, out);
    }

    private static void requireSameShape(String op, Tensor x, Tensor out) {
        if (!out.shape().equals(x.shape())) {
            throw new IllegalArgumentException(op + ": out " + out.shape() + " must have x's shape " + x.shape());
        }
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
        if (!matmulOutputShape(x.shape(), w, y.shape())) {
            int[] expected = x.shape().dims();
            expected[expected.length - 1] = w.dim(0);
            throw new IllegalArgumentException("matmul: y " + y.shape() + " must be " + Shape.of(expected)
                    + " for x " + x.shape() + " and w " + w);
        }
        requireDisjoint("matmul", "x", x, y);
    }

    /** y's shape is x's with the last dimension N; compared in place, as this runs on every call of a decode step. */
    private static boolean matmulOutputShape(Shape x, Shape w, Shape y) {
        int rank = x.rank();
        if (y.rank() != rank || y.dim(rank - 1) != w.dim(0)) {
            return false;
        }
        for (int i = 0; i < rank - 1; i++) {
            if (y.dim(i) != x.dim(i)) {
                return false;
            }
        }
        return true;
    }

    private static void requireAlive(String op, String name, Tensor t) {
        Objects.requireNonNull(t, op + ": " + name);
        if (!t.isAlive()) {
            throw new IllegalStateException(op + ": " + name + " " + t.shape() + " belongs to a closed arena");
        }
    }

    private static void requireDisjoint(String op, String name, Tensor in, Tensor out) {
        if (overlap(in.segment(), out.segment())) {
            throw new IllegalArgumentException(op + ": out overlaps " + name + "; use a separate output tensor");
        }
    }

    /** Whether two segments share a byte: by address for native memory (allocates nothing), else by the FFM API. */
    private static boolean overlap(java.lang.foreign.MemorySegment a, java.lang.foreign.MemorySegment b) {
        if (a.isNative() && b.isNative()) {
            return a.byteSize() > 0 && b.byteSize() > 0
                    && a.address() < b.address() + b.byteSize() && b.address() < a.address() + a.byteSize();
        }
        return a.asOverlappingSlice(b).isPresent();
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
