package dev.vecgpt.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * A float32 tensor: a {@link Shape} over a contiguous, row-major, native {@link MemorySegment}.
 *
 * <p>The memory belongs to the {@link Arena} it was allocated from; the caller owns that arena and
 * frees every tensor in it by closing it. Views ({@link #row}, {@link #slice}) share the memory.
 */
public final class Tensor {

    /** Vector loads run fastest from cache-line aligned memory (64 bytes = one 512-bit vector). */
    public static final long ALIGNMENT = 64;

    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final Shape shape;
    private final MemorySegment segment;

    private Tensor(Shape shape, MemorySegment segment) {
        this.shape = shape;
        this.segment = segment;
    }

    /** A zero-filled tensor in {@code arena}. */
    public static Tensor allocate(Arena arena, Shape shape) {
        Objects.requireNonNull(arena, "arena");
        return new Tensor(shape, arena.allocate(shape.size() * Float.BYTES, ALIGNMENT));
    }

    public static Tensor allocate(Arena arena, int... dims) {
        return allocate(arena, Shape.of(dims));
    }

    /** A tensor in {@code arena} holding a copy of {@code values}, which must have {@code shape.size()} elements. */
    public static Tensor of(Arena arena, Shape shape, float... values) {
        if (values.length != shape.size()) {
            throw new IllegalArgumentException(
                    "shape " + shape + " holds " + shape.size() + " values, got " + values.length);
        }
        Tensor t = allocate(arena, shape);
        MemorySegment.copy(values, 0, t.segment, FLOAT, 0, values.length);
        return t;
    }

    /**
     * A tensor over existing memory (no copy). The segment must be native and hold exactly
     * {@code shape.size()} floats in native byte order.
     */
    public static Tensor wrap(Shape shape, MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("tensor memory must be a native segment, got a heap segment");
        }
        if (segment.byteSize() != shape.size() * Float.BYTES) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size() * Float.BYTES
                    + " bytes, segment has " + segment.byteSize());
        }
        return new Tensor(shape, segment);
    }

    public Shape shape() {
        return shape;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return shape.size();
    }

    /** False once the owning arena is closed; such a tensor can no longer be read or written. */
    public boolean isAlive() {
        return segment.scope().isAlive();
    }

    /** Row {@code i} along the first dimension, as a view of shape {@code shape.dropFirst()}. */
    public Tensor row(int i) {
        return slice(i, i + 1).reshape(shape.dropFirst());
    }

    /** Rows {@code [from, to)} along the first dimension, as a view. */
    public Tensor slice(int from, int to) {
        int rows = shape.dim(0);
        if (from < 0 || to > rows || from >= to) {
            throw new IndexOutOfBoundsException(
                    "slice [" + from + ", " + to + ") of first dimension " + rows + " in shape " + shape);
        }
        long rowBytes = shape.size() / rows * Float.BYTES;
        return new Tensor(shape.withFirst(to - from), segment.asSlice(from * rowBytes, (to - from) * rowBytes));
    }

    /** The same memory seen with another shape of the same size. */
    public Tensor reshape(Shape newShape) {
        if (newShape.size() != shape.size()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " to " + newShape);
        }
        return new Tensor(newShape, segment);
    }

    public float get(long flatIndex) {
        return segment.getAtIndex(FLOAT, flatIndex);
    }

    public void set(long flatIndex, float value) {
        segment.setAtIndex(FLOAT, flatIndex, value);
    }

    /** Element at a full multi-dimensional index. */
    public float get(int... index) {
        return get(flatIndex(index));
    }

    public long flatIndex(int... index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("index of rank " + index.length + " for shape " + shape);
        }
        long flat = 0;
        for (int d = 0; d < index.length; d++) {
            Objects.checkIndex(index[d], shape.dim(d));
            flat = flat * shape.dim(d) + index[d];
        }
        return flat;
    }

    /** A heap copy of the values, row-major. */
    public float[] toArray() {
        return segment.toArray(FLOAT);
    }

    /** Copies {@code values} (exactly {@link #size()} of them) into this tensor. */
    public void copyFrom(float[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException("tensor " + shape + " holds " + size() + " values, got " + values.length);
        }
        MemorySegment.copy(values, 0, segment, FLOAT, 0, values.length);
    }

    @Override
    public String toString() {
        return "Tensor" + shape;
    }
}
