package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The settings record: factories, withers and validation. */
class SamplingTest {

    @Test
    void factoriesAndWithersSetOneFieldEach() {
        assertEquals(new Sampling(0f, 0, 1f, 0L), Sampling.greedy());
        Sampling s = Sampling.random(1.4f, 123).withTopK(25).withTopP(0.9f).withSeed(7);
        assertEquals(new Sampling(1.4f, 25, 0.9f, 7), s);
        assertTrue(Sampling.greedy().isGreedy());
        assertTrue(!s.isGreedy());
    }

    @Test
    void badSettingsAreRefusedNamingTheValue() {
        assertMessage(() -> Sampling.random(-0.5f, 1), "temperature is -0.5");
        assertMessage(() -> Sampling.random(Float.NaN, 1), "temperature is NaN");
        assertMessage(() -> Sampling.random(Float.POSITIVE_INFINITY, 1), "temperature is Infinity");
        assertMessage(() -> Sampling.greedy().withTopK(-1), "topK is -1");
        assertMessage(() -> Sampling.greedy().withTopP(0f), "topP is 0.0");
        assertMessage(() -> Sampling.greedy().withTopP(1.5f), "topP is 1.5");
        assertMessage(() -> Sampling.greedy().withTopP(Float.NaN), "topP is NaN");
        assertMessage(() -> Sampling.greedy().withTopK(10).start(9), "topK is 10, larger than the vocabulary (9)");
        assertMessage(() -> Sampling.greedy().start(0), "vocabSize is 0");
    }

    @Test
    void badLogitsAreRefusedNamingTheProblem() {
        Sampler sampler = Sampling.random(1f, 1).start(4);
        assertMessage(() -> sampler.next(new float[5]), "logits have 5 values");
        assertMessage(() -> sampler.next(new float[] {0, 1, Float.NaN, 2}), "logit 2 is NaN");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        var e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
