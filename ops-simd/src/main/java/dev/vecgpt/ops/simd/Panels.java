package dev.vecgpt.ops.simd;

import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code W [N, K]} cut into panels of {@link #WIDTH} consecutive output columns, each stored
 * k-major: panel p holds {@code W[p·WIDTH + j, k]} at float index {@code (p·K + k)·WIDTH + j}. The
 * matmul then reads each panel front to back, one row of {@code WIDTH} weights per k, and the last
 * panel is padded with zero columns so that every read is a whole vector.
 */
record Panels(Shape shape, MemorySegment memory) implements PackedWeight {

    /** Four vectors of columns per panel: 64 on AVX-512, 32 on AVX2. */
    static final int VECTORS = 4;
    static final int WIDTH = VECTORS * SimdKernels.SPECIES.length();

    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    static Panels pack(Tensor w, Arena arena) {
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        int panels = (n + WIDTH - 1) / WIDTH;
        MemorySegment dst = arena.allocate((long) panels * k * WIDTH * Float.BYTES, Tensor.ALIGNMENT);
        MemorySegment src = w.segment();
        for (int col = 0; col < n; col++) {
            long panelBase = (long) (col / WIDTH) * k * WIDTH + col % WIDTH;
            long rowBase = (long) col * k;
            for (int i = 0; i < k; i++) {
                dst.setAtIndex(F, panelBase + (long) i * WIDTH, src.getAtIndex(F, rowBase + i));
            }
        }
        return new Panels(w.shape(), dst);
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

    /** Byte offset of panel {@code p}. */
    long offset(int p) {
        return (long) p * k() * WIDTH * Float.BYTES;
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
