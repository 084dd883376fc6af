package dev.vecgpt.model.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TokenBatchTest {

    private static final GptConfig CONFIG = GptConfig.GPT_CONFIG_124M;

    @Test
    void flattensRowMajor() {
        TokenBatch batch = TokenBatch.of(new int[][] {{1, 2, 3}, {4, 5, 6}}, CONFIG);
        assertEquals(2, batch.batch());
        assertEquals(3, batch.length());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, batch.flat());
    }

    @Test
    void badBatchesNameTheProblemAndWhere() {
        assertMessage("token id 50257 at [1][2]", () -> TokenBatch.of(new int[][] {{0, 1, 2}, {0, 1, 50257}}, CONFIG));
        assertMessage("token id -1 at [0][0]", () -> TokenBatch.of(new int[][] {{-1}}, CONFIG));
        assertMessage("sequence 0 has 1025 tokens, longer than the context length 1024",
                () -> TokenBatch.of(new int[][] {new int[1025]}, CONFIG));
        assertMessage("ragged batch: sequence 1 has 2 tokens, sequence 0 has 3",
                () -> TokenBatch.of(new int[][] {{1, 2, 3}, {1, 2}}, CONFIG));
        assertMessage("empty batch", () -> TokenBatch.of(new int[0][], CONFIG));
        assertMessage("empty batch", () -> TokenBatch.of(null, CONFIG));
        assertMessage("sequence 1 has no tokens", () -> TokenBatch.of(new int[][] {{1}, {}}, CONFIG));
        assertMessage("sequence 0 has no tokens", () -> TokenBatch.of(new int[][] {null}, CONFIG));
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
