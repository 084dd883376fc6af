package dev.vecgpt.model.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.random.Dropout;
import java.lang.foreign.Arena;
import dev.vecgpt.model.Reference;
import org.junit.jupiter.api.Test;

/** {@code torch.manual_seed(123); DummyGPTModel(GPT_CONFIG_124M)} against PyTorch's known answers. */
class DummyGptModelTest {

    static final int[][] NOTEBOOK_BATCH = {{6109, 3626, 6100, 345}, {6109, 1110, 6622, 257}};
    private static final JsonNode KNOWN = Reference.json("dummy_gpt_seed123.json");

    /**
     * Logits are sums of 768 products; PyTorch's BLAS and our kernels add them in different orders,
     * so they agree to float32 rounding of such a sum (|logit| < 5: a few 1e-7), not bit for bit.
     */
    private static final float LOGIT_TOLERANCE = 1e-5f;

    private static DummyGptModel seed123() {
        return new DummyGptModel(GptConfig.GPT_CONFIG_124M, 123);
    }

    @Test
    void weightsAreBitForBitPyTorchs() {
        try (DummyGptModel model = seed123()) {
            checkWeights("tok_emb", model.tokenEmbedding());
            checkWeights("pos_emb", model.positionEmbedding());
            checkWeights("out_head", model.outHead());
        }
    }

    private static void checkWeights(String name, Tensor weight) {
        JsonNode known = KNOWN.get(name);
        float[] all = weight.toArray();
        float[] first8 = java.util.Arrays.copyOfRange(all, 0, 8);
        float[] last8 = java.util.Arrays.copyOfRange(all, all.length - 8, all.length);
        assertArrayEquals(Reference.floatsFromBits(known.get("first_row_first8").get("bits")), first8, name + " first 8");
        assertArrayEquals(Reference.floatsFromBits(known.get("last_row_last8").get("bits")), last8, name + " last 8");
        double sum = 0;
        for (float v : all) {
            sum += v;
        }
        double expected = known.get("sum_float64").doubleValue();
        // float64 sums of the same floats in another order: equal to ~1e-12 relative.
        assertEquals(expected, sum, 1e-9 * Math.max(1, Math.abs(expected)), name + " sum");
    }

    @Test
    void evalLogitsMatchPyTorch() {
        try (DummyGptModel model = seed123().eval(); Arena arena = Arena.ofConfined()) {
            Tensor logits = model.forward(NOTEBOOK_BATCH, arena);
            assertEquals(Shape.of(2, 4, 50257), logits.shape());
            checkCorners(logits, "eval_logits_corners");
            assertEquals(KNOWN.get("eval_logits_sum_float64").doubleValue(), sum(logits), 1e-2);
        }
    }

    @Test
    void portableDropoutLogitsMatchPyTorchWithoutMkl() {
        try (DummyGptModel model = seed123().dropoutMode(Dropout.Mode.PORTABLE); Arena arena = Arena.ofConfined()) {
            assertTrue(model.isTraining(), "a new model is in training mode, as in PyTorch");
            Tensor logits = model.forward(NOTEBOOK_BATCH, arena);
            checkCorners(logits, "train_portable_logits_corners");
            assertEquals(KNOWN.get("train_portable_logits_sum_float64").doubleValue(), sum(logits), 1e-2);
        }
    }

    @Test
    void evalIsDeterministicAndKernelIndependent() {
        try (DummyGptModel simd = seed123().eval();
             DummyGptModel scalar = new DummyGptModel(GptConfig.GPT_CONFIG_124M, 123, KernelProvider.byName("scalar")).eval();
             Arena arena = Arena.ofConfined()) {
            Tensor first = simd.forward(NOTEBOOK_BATCH, arena);
            Tensor second = simd.forward(NOTEBOOK_BATCH, arena);
            assertEquals(-1, first.segment().mismatch(second.segment()), "same input, same bits");
            Tensor reference = scalar.forward(NOTEBOOK_BATCH, arena);
            for (long i = 0; i < first.size(); i++) {
                assertEquals(reference.get(i), first.get(i), LOGIT_TOLERANCE, "logit " + i);
            }
        }
    }

    /**
     * The accuracy bfloat16 costs: |logit| differences on the notebook's batch (eval). Each weight
     * moves by up to 2⁻⁹ of itself; over the 402,056 logits the largest change is 6.9e-3.
     */
    @Test
    void bf16OutHeadStaysCloseToFloat32() {
        try (DummyGptModel f32 = seed123().eval();
             DummyGptModel bf16 = new DummyGptModel(GptConfig.GPT_CONFIG_124M, 123, KernelProvider.kernels(),
                     WeightFormat.BF16).eval();
             Arena arena = Arena.ofShared()) {
            Tensor exact = f32.forward(NOTEBOOK_BATCH, arena);
            Tensor rounded = bf16.forward(NOTEBOOK_BATCH, arena);
            double max = 0;
            for (long i = 0; i < exact.size(); i++) {
                max = Math.max(max, Math.abs(exact.get(i) - rounded.get(i)));
            }
            System.out.printf("bf16 out_head: max |logit difference| = %.2e on the notebook's batch%n", max);
            assertTrue(max > 0 && max < 1e-2, "max |difference| " + max);
        }
    }

    @Test
    void badInputChangesNothing() {
        try (DummyGptModel model = seed123(); DummyGptModel fresh = seed123(); Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> model.forward(new int[][] {{1, 50257}}, arena));
            assertThrows(IllegalArgumentException.class, () -> model.forward(new int[][] {{1, 2}, {3}}, arena));
            assertThrows(IllegalArgumentException.class, () -> model.forward(new int[][] {new int[1025]}, arena));
            Arena closed = Arena.ofConfined();
            closed.close();
            assertThrows(IllegalStateException.class, () -> model.forward(NOTEBOOK_BATCH, closed));
            // No random numbers were drawn by the failed calls: the next training pass equals a fresh model's.
            Tensor afterErrors = model.forward(NOTEBOOK_BATCH, arena);
            Tensor expected = fresh.forward(NOTEBOOK_BATCH, arena);
            assertEquals(-1, expected.segment().mismatch(afterErrors.segment()));
        }
    }

    @Test
    void aClosedModelRefusesToRun() {
        DummyGptModel model = seed123();
        model.close();
        try (Arena arena = Arena.ofConfined()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.forward(NOTEBOOK_BATCH, arena));
            assertTrue(e.getMessage().contains("closed arena"), e.getMessage());
        }
    }

    private static void checkCorners(Tensor logits, String key) {
        float[] expected = Reference.floatsFromBits(KNOWN.get(key).get("bits"));
        int vocab = logits.shape().dim(2);
        int i = 0;
        for (int row = 0; row < 8; row++) {
            Tensor r = logits.reshape(Shape.of(8, vocab)).row(row);
            int[] columns = {0, 1, 2, vocab - 3, vocab - 2, vocab - 1};
            for (int c : columns) {
                assertEquals(expected[i++], r.get(c), LOGIT_TOLERANCE, key + " row " + row + " column " + c);
            }
        }
    }

    private static double sum(Tensor t) {
        double s = 0;
        for (long i = 0; i < t.size(); i++) {
            s += t.get(i);
        }
        return s;
    }
}
