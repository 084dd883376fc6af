package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.WeightFormat;
import org.junit.jupiter.api.Test;

class WarmupTest {

    @Test
    void runsOnEveryKernelSetAndFormat() {
        for (WeightFormat format : WeightFormat.values()) {
            Warmup.run(KernelProvider.byName("simd"), GptConfig.GPT_CONFIG_124M, format, 2);
            Warmup.run(KernelProvider.byName("scalar"), GptConfig.GPT_CONFIG_124M, format, 1);
        }
    }

    @Test
    void theMiniatureKeepsTheBiasesAndHeadSize() {
        GptConfig mini = Warmup.miniature(GptConfig.GPT2_124M);
        assertEquals(GptConfig.GPT2_124M.qkvBias(), mini.qkvBias());
        assertEquals(64, mini.embDim() / mini.nHeads());
        assertEquals(64, GptConfig.GPT2_124M.embDim() / GptConfig.GPT2_124M.nHeads());
    }

    @Test
    void theMiniatureGenerationPassesFourVectorsOfKeys() {
        int positions = Warmup.PROMPT + Warmup.NEW_TOKENS;
        assertTrue(positions > 64, "a decode step's score tile takes 64 keys (4 vectors of 16) at a time");
        assertTrue(positions <= Warmup.miniature(GptConfig.GPT_CONFIG_124M).contextLength());
    }
}
