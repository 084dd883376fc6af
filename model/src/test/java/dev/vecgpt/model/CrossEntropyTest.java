package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link CrossEntropy} by its definition, −log softmax(row)[target]. */
class CrossEntropyTest {

    @Test
    void uniformLogitsCostLogOfTheVocabulary() {
        assertEquals(Math.log(4), CrossEntropy.nats(new float[] {2, 2, 2, 2}, 3), 1e-15);
        assertEquals(Math.log(50257), CrossEntropy.nats(new float[50257], 0), 1e-12);
    }

    @Test
    void twoLogitsGiveTheLogisticLoss() {
        // softmax([0, d])[1] = 1 / (1 + e^-d), so the cost of target 1 is log(1 + e^-d)
        assertEquals(Math.log1p(Math.exp(-3.0)), CrossEntropy.nats(new float[] {0, 3}, 1), 1e-15);
        assertEquals(Math.log1p(Math.exp(3.0)), CrossEntropy.nats(new float[] {0, 3}, 0), 1e-15);
    }

    /** Shifting every logit by the same amount changes nothing, even by 1e4 (exp alone would overflow). */
    @Test
    void isShiftInvariantAndDoesNotOverflow() {
        float[] a = {1.5f, -2f, 0.25f, 3f};
        float[] b = {10001.5f, 9998f, 10000.25f, 10003f};
        assertEquals(CrossEntropy.nats(a, 2), CrossEntropy.nats(b, 2), 1e-12);
        assertTrue(Double.isFinite(CrossEntropy.nats(b, 0)));
    }

    @Test
    void aRowInsideALargerArray() {
        float[] two = {9, 9, 9, 0, 3, 99};
        assertEquals(CrossEntropy.nats(new float[] {0, 3}, 1), CrossEntropy.nats(two, 3, 2, 1), 0);
    }

    @Test
    void meanAndPerplexityOverTargets() {
        CrossEntropy ce = new CrossEntropy();
        ce.add(new float[] {2, 2, 2, 2}, 0, 4, 1);      // log 4
        ce.add(new float[] {0, 0}, 0, 2, 0);            // log 2
        assertEquals(2, ce.count());
        assertEquals((Math.log(4) + Math.log(2)) / 2, ce.mean(), 1e-15);
        assertEquals(Math.sqrt(8), ce.perplexity(), 1e-12);
    }

    @Test
    void badInputIsRefusedNamingTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.nats(new float[4], 4));
        assertTrue(e.getMessage().contains("target 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.nats(new float[4], -1));
        assertTrue(e.getMessage().contains("target -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CrossEntropy.nats(new float[4], 2, 3, 0));
        assertTrue(e.getMessage().contains("outside the 4 logits"), e.getMessage());
        var s = assertThrows(IllegalStateException.class, () -> new CrossEntropy().mean());
        assertTrue(s.getMessage().contains("no targets"), s.getMessage());
    }
}
