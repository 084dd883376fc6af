package dev.vecgpt.core;

/** How a packed weight stores its values. The arithmetic is float32 in every format. */
public enum WeightFormat {

    /** IEEE float32, as given: 4 bytes a weight. */
    F32,

    /**
     * bfloat16, the top 16 bits of a float32 rounded to nearest even: 2 bytes a weight, half the
     * memory traffic, about 3 significant decimal digits. Widened to float32 for the arithmetic.
     */
    BF16,

    /**
     * Symmetric int8 with one float32 scale per block of {@link #Q8_BLOCK} consecutive weights along
     * k (the last block of a row may be shorter): about 1.125 bytes a weight, a quarter of float32's
     * traffic. Per block, {@code scale = max|w| / 127} and {@code q = round(w / scale)} in [-127, 127];
     * the kernels multiply by the dequantized weight {@code w' = q · scale} (one float32 product,
     * see {@link #dequantizeQ8}), whose error is at most {@code scale / 2} (plus half an ulp of w').
     */
    Q8_0;

    /** Weights per Q8_0 scale, along k. */
    public static final int Q8_BLOCK = 32;

    /** The Q8_0 scale of a block whose largest magnitude is {@code maxAbs}: 0 for an all-zero block. */
    public static float q8Scale(float maxAbs) {
        return maxAbs / 127f;
    }

    /** {@code w} quantized with {@code scale}: the nearest integer to {@code w / scale} (in double), in [-127, 127]. */
    public static byte q8Quantize(float w, float scale) {
        if (scale == 0f) {
            return 0;
        }
        double q = Math.rint((double) w / scale);
        return (byte) Math.max(-127, Math.min(127, q));
    }

    /** The weight the kernels multiply by: {@code q · scale}, one float32 multiplication. */
    public static float dequantizeQ8(byte q, float scale) {
        return q * scale;
    }

    /**
     * Row {@code w[from .. from + k)} as Q8_0 would give it back, written to {@code out} at the same
     * indices: each block of 32 (from the row's start) quantized with its own scale, then dequantized.
     */
    public static void roundRowToQ8(Tensor w, Tensor out, long from, int k) {
        for (int b = 0; b < k; b += Q8_BLOCK) {
            int end = Math.min(k, b + Q8_BLOCK);
            float maxAbs = 0f;
            for (int i = b; i < end; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(w.get(from + i)));
            }
            float scale = q8Scale(maxAbs);
            for (int i = b; i < end; i++) {
                out.set(from + i, dequantizeQ8(q8Quantize(w.get(from + i), scale), scale));
            }
        }
    }

    /** {@code value} rounded to the nearest bfloat16 (ties to even), as a float32 bit pattern's top half. */
    public static short toBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40); // stays a (quiet) NaN, whatever its payload
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The float32 a bfloat16 stands for (exact). */
    public static float fromBf16(short bf16) {
        return Float.intBitsToFloat(bf16 << 16);
    }

    /** {@code value} as the nearest bfloat16 would give it back: what the BF16 kernels multiply by. */
    public static float roundToBf16(float value) {
        return fromBf16(toBf16(value));
    }
}
