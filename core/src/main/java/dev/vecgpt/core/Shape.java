package dev.vecgpt.core;

import java.util.Arrays;

/**
 * The dimensions of a row-major tensor. Every dimension is at least 1: an empty tensor is always a
 * caller's mistake here (an empty batch, an empty text), so it is refused where it is made.
 */
public record Shape(int... dims) {

    public Shape {
        if (dims.length == 0) {
            throw new IllegalArgumentException("a shape needs at least one dimension");
        }
        dims = dims.clone();
        long size = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 1) {
                throw new IllegalArgumentException(
                        "dimension " + i + " of shape " + Arrays.toString(dims) + " is " + dims[i] + ", must be >= 1");
            }
            size = Math.multiplyExact(size, dims[i]);
        }
    }

    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code i}; negative {@code i} counts from the end, as in PyTorch. */
    public int dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    /** Number of elements. */
    public long size() {
        long size = 1;
        for (int d : dims) {
            size *= d;
        }
        return size;
    }

    /** The shape without its first dimension (a row of this shape); a vector's row is a single element. */
    public Shape dropFirst() {
        return dims.length == 1 ? new Shape(1) : new Shape(Arrays.copyOfRange(dims, 1, dims.length));
    }

    /** The same shape with its first dimension replaced. */
    public Shape withFirst(int first) {
        int[] copy = dims.clone();
        copy[0] = first;
        return new Shape(copy);
    }

    /** True if {@code suffix} equals the trailing dimensions of this shape. */
    public boolean endsWith(Shape suffix) {
        int offset = dims.length - suffix.dims.length;
        return offset >= 0 && Arrays.equals(dims, offset, dims.length, suffix.dims, 0, suffix.dims.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
