package dev.vecgpt.core;

/** How a packed weight stores its values. The arithmetic is float32 either way. */
public enum WeightFormat {

    /** IEEE float32, as given: 4 bytes a weight. */
    F32,

    /**
     * bfloat16, the top 16 bits of a float32 rounded to nearest even: 2 bytes a weight, half the
     * memory traffic, about 3 significant decimal digits. Widened to float32 for the arithmetic.
     */
    BF16;

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
