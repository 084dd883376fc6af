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
 *
 * <p>Q8_0 panels are cut along k into blocks of 32 rows: each block is its {@code WIDTH} float32
 * scales (one per column) followed by its rows of {@code WIDTH} int8 weights, so a panel is still
 * read front to back, in one stream.
 */
record Panels(Shape shape, WeightFormat format, MemorySegment memory) implements PackedWeight {

    /** Four vectors of columns per panel: 64 on AVX-512, 32 on AVX2. */
    static final int VECTORS = 4;
    static final int WIDTH = VECTORS * SimdKernels.SPECIES.length();
    static final int BLOCK = WeightFormat.Q8_BLOCK;
    /** Slack after the last panel: a 128-bit float species widens int8 from 64-bit loads, 4 bytes past its own. */
    private static final long TAIL = 64;

    static Panels pack(Tensor w, WeightFormat format, Arena arena) {
        int n = w.shape().dim(0);
        int k = w.shape().dim(1);
        int panels = (n + WIDTH - 1) / WIDTH;
        Panels packed = new Panels(w.shape(), format, arena.allocate(panels * panelBytes(format, k) + TAIL, Tensor.ALIGNMENT));
        packed.fill(w);
        return packed;
    }

    /** Writes {@code w} (of this shape) into these panels, in this format. */
    void fill(Tensor w) {
        int n = n();
        int k = k();
        if (format == WeightFormat.Q8_0) {
            fillQ8(w);
            return;
        }
        MemorySegment dst = memory;
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
    }

    /** Each column's blocks quantized with the scale and rounding of {@link WeightFormat} (the reference's). */
    private void fillQ8(Tensor w) {
        int k = k();
        MemorySegment src = w.segment();
        for (int col = 0; col < n(); col++) {
            long rowBase = (long) col * k;
            for (int b = 0; b < k; b += BLOCK) {
                int end = Math.min(k, b + BLOCK);
                float maxAbs = 0f;
                for (int i = b; i < end; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(src.getAtIndex(Tensor.FLOAT, rowBase + i)));
                }
                float scale = WeightFormat.q8Scale(maxAbs);
                memory.set(Tensor.FLOAT, scaleAt(col, b), scale);
                for (int i = b; i < end; i++) {
                    memory.set(ValueLayout.JAVA_BYTE, q8At(col, i),
                            WeightFormat.q8Quantize(src.getAtIndex(Tensor.FLOAT, rowBase + i), scale));
                }
            }
        }
    }

    /** Byte offset of the scale of column {@code col}'s block holding k = {@code i}. */
    private long scaleAt(int col, int i) {
        return offset(col / WIDTH) + (long) (i / BLOCK) * blockBytes() + (long) (col % WIDTH) * Float.BYTES;
    }

    /** Byte offset of the int8 weight {@code W[col, i]}. */
    private long q8At(int col, int i) {
        return offset(col / WIDTH) + (long) (i / BLOCK) * blockBytes() + (long) WIDTH * Float.BYTES
                + (long) (i % BLOCK) * WIDTH + col % WIDTH;
    }

    private static long bytes(WeightFormat format) {
        return switch (format) {
            case F32 -> Float.BYTES;
            case BF16 -> 2;
            case Q8_0 -> 1;
        };
    }

    private static long panelBytes(WeightFormat format, int k) {
        long weights = (long) k * WIDTH * bytes(format);
        return format == WeightFormat.Q8_0 ? weights + (long) (k + BLOCK - 1) / BLOCK * WIDTH * Float.BYTES : weights;
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

    boolean q8() {
        return format == WeightFormat.Q8_0;
    }

    /** Q8_0: bytes of one full block of 32 k (its scales, then its weights). */
    long blockBytes() {
        return (long) WIDTH * Float.BYTES + (long) BLOCK * WIDTH;
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
        return p * panelBytes(format, k());
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
                w.set((long) col * k + i, switch (format) {
                    case F32 -> memory.getAtIndex(Tensor.FLOAT, at);
                    case BF16 -> WeightFormat.fromBf16(memory.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, at));
                    case Q8_0 -> WeightFormat.dequantizeQ8(memory.get(ValueLayout.JAVA_BYTE, q8At(col, i)),
                            memory.get(Tensor.FLOAT, scaleAt(col, i)));
                });
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
