package dev.vecgpt.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GptConfigTest {

    @Test
    void theNotebooksConfiguration() {
        GptConfig c = GptConfig.GPT_CONFIG_124M;
        assertEquals(50257, c.vocabSize());
        assertEquals(1024, c.contextLength());
        assertEquals(768, c.embDim());
        assertEquals(12, c.nHeads());
        assertEquals(12, c.nLayers());
        assertEquals(0.1, c.dropRate());
        assertFalse(c.qkvBias());
        assertEquals(64, c.headDim());
    }

    @Test
    void pretrainedSizes() {
        assertEquals(GptConfig.GPT2_124M, GptConfig.pretrained("gpt2"));
        assertEquals(1024, GptConfig.pretrained("gpt2-medium").embDim());
        assertEquals(36, GptConfig.pretrained("gpt2-large").nLayers());
        GptConfig xl = GptConfig.pretrained("gpt2-xl");
        assertEquals(1600, xl.embDim());
        assertEquals(25, xl.nHeads());
        assertEquals(48, xl.nLayers());
        assertTrue(xl.qkvBias());
        assertMessage("unknown GPT-2 size 'gpt3'", () -> GptConfig.pretrained("gpt3"));
    }

    @Test
    void invalidConfigurationsNameTheBadValue() {
        assertMessage("embDim 770 is not divisible by nHeads 12", () -> new GptConfig(50257, 1024, 770, 12, 12, 0.1, false));
        assertMessage("vocabSize is 0", () -> new GptConfig(0, 1024, 768, 12, 12, 0.1, false));
        assertMessage("nLayers is -1", () -> new GptConfig(50257, 1024, 768, 12, -1, 0.1, false));
        assertMessage("dropRate 1.0", () -> new GptConfig(50257, 1024, 768, 12, 12, 1.0, false));
        assertMessage("dropRate NaN", () -> new GptConfig(50257, 1024, 768, 12, 12, Double.NaN, false));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
