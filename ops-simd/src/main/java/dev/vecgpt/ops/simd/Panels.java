package dev.vecgpt.ops.simd;

import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code W [N, K]} cut into panels of {@link #WIDTH} consecutive output columns, each stored
 * k-major: panel p holds {@code W[p·WIDTH + j, k]} at element {@code (p·K + k)·WIDTH + j}, as float32
 * or bfloat16. The matmul then reads each panel front to back, one row of {@code WIDTH} weights per
 * k, and the last panel is padded with zero columns so that every read is a whole vector.
 */
record Panels(Shape shape, WeightFormat format, MemorySegment memory) implements PackedWeight {

    /** Four vectors of columns per panel: 64 on AVX-512, 32 on AVX2. */
    static final int VECTORS = 4;
    static final int WIDTH = VECTORS * SimdKernels.SPECIES.length();

    static Panels pack(Tensor w, WeightFormat format, Arena arena) {
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        int panels = (n + WIDTH - 1) / WIDTH;
        long elementBytes = bytes(format);
        MemorySegment dst = arena.allocate((long) panels * k * WIDTH * elementBytes, Tensor.ALIGNMENT);
        MemorySegment src = w.segment();
        for (int col = 0; col < n; col++) {
            long panelBase = (long) (col / WIDTH) * k * WIDTH + col % WIDTH;
            long rowBase = (long) col * k;
            for (int i = 0; i < k; i++) {
                float value = src.getAtIndex(Tensor.FLOAT, rowBase + i);
                long at = panelBase + (long) i * WIDTH;
                if (format == WeightFormat.BF16) {
                    dst.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, at, WeightFormat.toBf16(value));
                } else {
                    dst.setAtIndex(Tensor.FLOAT, at, value);
                }
            }
        }
        return new Panels(w.shape(), format, dst);
    }

    private static long bytes(WeightFormat format) {
        return format == WeightFormat.BF16 ? 2 : Float.BYTES;
    }

    int n() {
        return shape.dim(0);
    }

    int k() {
        return shape.dim(1);
    }

    int count() {
        return (n() + WIDTH - 1) / WIDTH;
    }

    boolean bf16() {
        return format == WeightFormat.BF16;
    }

    /** Bytes from one k to the next within a panel. */
    long rowBytes() {
        return WIDTH * bytes(format);
    }

    /** Bytes from one vector of a panel row to the next. */
    long vectorBytes() {
        return SimdKernels.SPECIES.length() * bytes(format);
    }

    /** Byte offset of panel {@code p}. */
    long offset(int p) {
        return (long) p * k() * rowBytes();
    }

    @Override
    public Tensor unpack(Arena arena) {
        int n = n();
        int k = k();
        Tensor w = Tensor.allocate(arena, n, k);
        for (int col = 0; col < n; col++) {
            long panelBase = (long) (col / WIDTH) * k * WIDTH + col % WIDTH;
            for (int i = 0; i < k; i++) {
                long at = panelBase + (long) i * WIDTH;
                w.set((long) col * k + i, bf16()
                        ? WeightFormat.fromBf16(memory.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, at))
                        : memory.getAtIndex(Tensor.FLOAT, at));
            }
        }
        return w;
    }

    @Override
    public String packedBy() {
        return "simd";
    }

    @Override
    public boolean isAlive() {
        return memory.scope().isAlive();
    }
}
