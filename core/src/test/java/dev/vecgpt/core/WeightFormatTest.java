package dev.vecgpt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** bfloat16 rounding: nearest, ties to even, specials kept. Expected bit patterns worked out by hand. */
class WeightFormatTest {

    private static short bf16(int floatBits) {
        return WeightFormat.toBf16(Float.intBitsToFloat(floatBits));
    }

    @Test
    void roundsToNearestEven() {
        assertEquals((short) 0x3F80, bf16(0x3F800000));            // 1.0 exactly
        assertEquals((short) 0x3F80, bf16(0x3F807FFF));            // just below half an ulp: down
        assertEquals((short) 0x3F81, bf16(0x3F808001));            // just above: up
        assertEquals((short) 0x3F80, bf16(0x3F808000));            // tie, even below: down
        assertEquals((short) 0x3F82, bf16(0x3F818000));            // tie, odd below: up to even
        assertEquals((short) 0xBF82, bf16(0xBF818000));            // the same for negatives
    }

    @Test
    void specialValues() {
        assertEquals((short) 0x7F80, bf16(0x7F800000));            // +inf
        assertEquals((short) 0xFF80, bf16(0xFF800000));            // -inf
        assertEquals((short) 0x7F80, bf16(0x7F7FFFFF));            // max float rounds to +inf
        assertEquals((short) 0x8000, bf16(0x80000000));            // -0
        assertEquals((short) 0x0001, bf16(0x00010000));            // a subnormal is kept
        assertTrue(Float.isNaN(WeightFormat.fromBf16(bf16(0x7F800001)))); // a NaN whose payload is all in the low half
        assertTrue(Float.isNaN(WeightFormat.roundToBf16(Float.NaN)));
    }

    @Test
    void roundTripOfRepresentableValues() {
        for (int top = 0; top < 0x10000; top += 7) {
            float v = Float.intBitsToFloat(top << 16);
            if (!Float.isNaN(v)) {
                assertEquals(top, WeightFormat.toBf16(v) & 0xFFFF);
                assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits(WeightFormat.roundToBf16(v)));
            }
        }
    }
}
