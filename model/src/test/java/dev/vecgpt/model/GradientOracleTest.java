package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.core.random.TorchGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gradients of one training step equal PyTorch's autograd: the book's GPTModel built with
 * {@code torch.manual_seed(123)}, train mode (dropout 0.1, the portable masks of Debian's non-MKL PyTorch),
 * {@code F.cross_entropy} and one {@code loss.backward()} (reference/gradients/, made by
 * src/test/python/make_gradient_oracles.py). Every gradient must be within 1e-4 of PyTorch's, relative to
 * that tensor's largest |gradient|.
 */
class GradientOracleTest {

    private static final double TOLERANCE = 1e-4;

    private static GptConfig config(JsonNode c) {
        return new GptConfig(c.get("vocab_size").asInt(), c.get("context_length").asInt(), c.get("emb_dim").asInt(),
                c.get("n_heads").asInt(), c.get("n_layers").asInt(), c.get("drop_rate").asDouble(),
                c.get("qkv_bias").asBoolean());
    }

    private static int[] flat(JsonNode rows) {
        List<Integer> out = new ArrayList<>();
        rows.forEach(row -> row.forEach(v -> out.add(v.asInt())));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void smallModelsEveryGradientEqualsPyTorchs() {
        for (String kernels : List.of("scalar", "simd")) {
            smallModel(kernels);
        }
    }

    private void smallModel(String kernelName) {
        JsonNode oracle = Reference.json("gradients/small.json");
        GptConfig config = config(oracle.get("config"));
        int[] inputs = flat(oracle.get("inputs"));
        int[] targets = flat(oracle.get("targets"));
        int batch = oracle.get("inputs").size();
        try (Kernels kernels = KernelProvider.byName(kernelName);
             GptModel model = new GptModel(config, 123, ModelOptions.DEFAULT.withKernels(kernels))) {
            TorchGenerator rng = model.generatorAfterInit();
            try (TrainingPass pass = model.newTrainingPass(batch, inputs.length / batch)) {
                float loss = pass.forwardBackward(inputs, targets, rng, Dropout.Mode.PORTABLE);
                assertEquals(oracle.get("loss").asDouble(), loss, 1e-5, kernelName + ": the loss");
                JsonNode expected = oracle.get("gradients");
                assertEquals(names(expected), pass.parameters().stream().map(TrainingPass.Parameter::name).toList(),
                        "parameters in PyTorch's order");
                for (TrainingPass.Parameter p : pass.parameters()) {
                    JsonNode e = expected.get(p.name());
                    float[] got = p.grad().toArray();
                    double[] want = new double[got.length];
                    for (int i = 0; i < want.length; i++) {
                        want[i] = e.get("values").get(i).asDouble();
                    }
                    assertClose(kernelName + " " + p.name(), want, got, index -> index);
                }
            }
        }
    }

    /**
     * GPT-2 124M at context 256, batch 2, on "The Verdict"'s first two windows: every gradient's largest
     * |value|, sum and sum of |values| and 64+ values at fixed indices against PyTorch's. About a minute.
     */
    @Test
    void gpt2SmallGradientsOnTheVerdictEqualPyTorchs() {
        JsonNode oracle = Reference.json("gradients/full.json");
        GptConfig config = config(oracle.get("config"));
        int[] ids = Arrays.stream(Reference.text("gradients/verdict-513-ids.txt").trim().split("\\s+"))
                .mapToInt(Integer::parseInt).toArray();
        int length = 256;
        int[] inputs = new int[2 * length];
        int[] targets = new int[2 * length];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = ids[i];
            targets[i] = ids[i + 1];
        }
        try (GptModel model = new GptModel(config, 123)) {
            TorchGenerator rng = model.generatorAfterInit();
            try (TrainingPass pass = model.newTrainingPass(2, length)) {
                float loss = pass.forwardBackward(inputs, targets, rng, Dropout.Mode.PORTABLE);
                assertEquals(oracle.get("loss").asDouble(), loss, 1e-4, "the loss");
                JsonNode expected = oracle.get("gradients");
                assertEquals(names(expected), pass.parameters().stream().map(TrainingPass.Parameter::name).toList());
                for (TrainingPass.Parameter p : pass.parameters()) {
                    JsonNode e = expected.get(p.name());
                    float[] got = p.grad().toArray();
                    double maxAbs = e.get("maxAbs").asDouble();
                    double sum = 0;
                    double sumAbs = 0;
                    double gotMax = 0;
                    for (float g : got) {
                        sum += g;
                        sumAbs += Math.abs(g);
                        gotMax = Math.max(gotMax, Math.abs(g));
                    }
                    assertEquals(maxAbs, gotMax, TOLERANCE * maxAbs, p.name() + ": max |gradient|");
                    // sums over n elements: each off by at most the tolerance, and in fact far less
                    assertEquals(e.get("sum").asDouble(), sum, TOLERANCE * maxAbs * Math.sqrt(got.length),
                            p.name() + ": sum");
                    assertEquals(e.get("sumAbs").asDouble(), sumAbs, TOLERANCE * maxAbs * Math.sqrt(got.length),
                            p.name() + ": sum of |gradient|");
                    JsonNode indices = e.get("indices");
                    double[] want = new double[indices.size()];
                    for (int i = 0; i < want.length; i++) {
                        want[i] = e.get("values").get(i).asDouble();
                    }
                    assertClose(p.name(), want, got, i -> indices.get(i).asInt());
                    assertTrue(maxAbs > 0, p.name() + " has a gradient");
                }
            }
        }
    }

    private static List<String> names(JsonNode gradients) {
        List<String> names = new ArrayList<>();
        gradients.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** want[i] against got[index(i)], within the tolerance times the largest |want|. */
    private static void assertClose(String what, double[] want, float[] got, java.util.function.IntUnaryOperator index) {
        double scale = 0;
        for (double w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < want.length; i++) {
            double error = Math.abs(got[index.applyAsInt(i)] - want[i]);
            if (error > worst) {
                worst = error;
                worstAt = i;
            }
        }
        assertTrue(worst <= TOLERANCE * scale, what + ": gradient " + index.applyAsInt(Math.max(worstAt, 0)) + " is "
                + (worstAt < 0 ? "" : got[index.applyAsInt(worstAt)]) + ", PyTorch's "
                + (worstAt < 0 ? "" : want[worstAt]) + " (error " + worst + ", largest |gradient| " + scale + ")");
    }
}
