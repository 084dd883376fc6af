package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The warm-up ({@link ModelOptions#withWarmUp}) and the build's progress ({@link ModelOptions#withProgress}). */
class WarmUpTest {

    private static final GptConfig TINY = new GptConfig(97, 16, 32, 4, 2, 0.1, true);

    @Test
    void runsOnEveryKernelSetAndFormat() {
        for (WeightFormat format : WeightFormat.values()) {
            WarmUp.run(KernelProvider.byName("simd"), GptConfig.GPT_CONFIG_124M, format, 1, () -> { });
            WarmUp.run(KernelProvider.byName("scalar"), GptConfig.GPT_CONFIG_124M, format, 1, () -> { });
        }
    }

    @Test
    void theMiniatureKeepsTheBiasesAndHeadSize() {
        GptConfig mini = WarmUp.miniature(GptConfig.GPT2_124M);
        assertEquals(GptConfig.GPT2_124M.qkvBias(), mini.qkvBias());
        assertEquals(64, mini.embDim() / mini.nHeads());
        assertEquals(64, GptConfig.GPT2_124M.embDim() / GptConfig.GPT2_124M.nHeads());
    }

    @Test
    void theMiniatureGenerationPassesFourVectorsOfKeys() {
        int positions = WarmUp.PROMPTS[0] + WarmUp.NEW_TOKENS;
        assertTrue(positions > 64, "a decode step's score tile takes 64 keys (4 vectors of 16) at a time");
        assertTrue(positions <= WarmUp.miniature(GptConfig.GPT_CONFIG_124M).contextLength());
    }

    /**
     * A prompt of 16 tokens or more takes the matmul's four-row tile (ops-simd's {@code TILE4_MIN_ROWS});
     * a fresh process whose warm-up ran 5-row prompts only waited 8 to 16 s for C2 to compile it at the
     * first such prompt. The warm-up multiplies those row counts, at the miniature's width and the real
     * model's, with rows left over for the two-row and one-row tiles.
     */
    @Test
    void coversPromptSizedTilesAtTheRealWidth() {
        Set<String> shapes = new TreeSet<>();
        Kernels kernels = KernelProvider.kernels();
        Kernels recording = (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(),
                new Class<?>[] {Kernels.class}, (proxy, method, args) -> {
                    if (method.getName().equals("matmul") && args[1] instanceof PackedWeight) {
                        Tensor x = (Tensor) args[0];
                        int k = x.shape().dim(x.shape().rank() - 1);
                        shapes.add(k + "x" + x.size() / k);
                    }
                    try {
                        return method.invoke(kernels, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        WarmUp.run(recording, GptConfig.GPT_CONFIG_124M, WeightFormat.F32, 2, () -> { });
        for (int width : new int[] {128, 768}) {
            assertTrue(shapes.stream().anyMatch(s -> s.startsWith(width + "x") && rows(s) >= 16 && rows(s) % 4 == 3),
                    "a matmul of width " + width + " with 16 rows or more, 3 left over: " + shapes);
        }
    }

    private static int rows(String shape) {
        return Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
    }

    @Test
    void buildingReportsEveryStepWithTheWarmUpsRounds() {
        List<String> steps = new ArrayList<>();
        ModelOptions options = ModelOptions.DEFAULT.withProgress((done, total) -> steps.add(done + "/" + total));
        int parameters;
        try (GptModel model = new GptModel(TINY, 7, options)) {
            parameters = model.parameterNames().size();
        }
        assertEquals(parameters, steps.size());
        assertEquals("1/" + parameters, steps.getFirst());
        assertEquals(parameters + "/" + parameters, steps.getLast());

        steps.clear();
        try (GptModel model = new GptModel(TINY, 7, options.withWarmUp(true))) {
            int total = parameters + WarmUp.ROUNDS;
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= total; i++) {
                expected.add(i + "/" + total);
            }
            assertEquals(expected, steps, "one step per parameter and per warm-up round, in order, before the model returns");
            try (GptSession session = model.newSession()) {
                assertEquals(3 + 2, session.generate(new int[] {5, 17, 3}, Generation.greedy(2)).length);
            }
        }
    }
}
