package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.random.Dropout;
import dev.vecgpt.core.random.TorchGenerator;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** A training pass's contract: accumulation, zeroGrad, eval loss, trained weights reaching inference, bad input. */
class TrainingPassTest {

    private static final GptConfig TINY = new GptConfig(53, 12, 32, 4, 2, 0.1, false);
    private static final int BATCH = 2;
    private static final int LENGTH = 9;

    private static int[] ids(int seed) {
        int[] ids = new int[BATCH * LENGTH];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 17 + seed * 5) % TINY.vocabSize();
        }
        return ids;
    }

    private static float[][] grads(TrainingPass pass) {
        return pass.parameters().stream().map(p -> p.grad().toArray()).toArray(float[][]::new);
    }

    @Test
    void gradientsAccumulateUntilZeroGrad() {
        try (GptModel model = new GptModel(TINY, 5); TrainingPass pass = model.newTrainingPass(BATCH, LENGTH)) {
            TorchGenerator rng = new TorchGenerator(9);
            float first = pass.forwardBackward(ids(1), ids(2), rng.copy(), Dropout.Mode.PORTABLE);
            float[][] once = grads(pass);
            float second = pass.forwardBackward(ids(1), ids(2), rng.copy(), Dropout.Mode.PORTABLE);
            assertEquals(first, second, "the same masks give the same loss");
            float[][] twice = grads(pass);
            for (int p = 0; p < once.length; p++) {
                float scale = 0;
                for (float g : once[p]) {
                    scale = Math.max(scale, Math.abs(g));
                }
                assertTrue(scale > 0, pass.parameters().get(p).name() + " has a gradient");
                for (int i = 0; i < once[p].length; i++) {
                    // rows summed straight into a gradient (embeddings, biases, norms) round in another order
                    assertEquals(2 * once[p][i], twice[p][i], 1e-6 * scale, pass.parameters().get(p).name() + " accumulated");
                }
            }
            pass.zeroGrad();
            for (float[] g : grads(pass)) {
                for (float v : g) {
                    assertEquals(0f, v);
                }
            }
            pass.forwardBackward(ids(1), ids(2), rng.copy(), Dropout.Mode.PORTABLE);
            assertArrayEquals(once[0], grads(pass)[0], "after zeroGrad, one pass's gradient again");
        }
    }

    @Test
    void theGradientsAreTheSameBitsOnOneThreadAndOnTwo() {
        GptConfig config = new GptConfig(1000, 64, 128, 4, 2, 0.1, false); // big enough for the kernels to split
        int[] inputs = new int[2 * 64];
        int[] targets = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (i * 37) % 1000;
            targets[i] = (i * 53 + 1) % 1000;
        }
        float[][][] grads = new float[2][][];
        for (int threads = 1; threads <= 2; threads++) {
            try (GptModel model = new GptModel(config, 3, ModelOptions.DEFAULT.withThreads(threads));
                 TrainingPass pass = model.newTrainingPass(2, 64)) {
                pass.forwardBackward(inputs, targets, new TorchGenerator(4), Dropout.Mode.PORTABLE);
                grads[threads - 1] = grads(pass);
            }
        }
        for (int p = 0; p < grads[0].length; p++) {
            assertArrayEquals(grads[0][p], grads[1][p], "parameter " + p);
        }
    }

    @Test
    void theEvalLossIsTheSessionsCrossEntropyAndDrawsNothing() {
        try (Kernels kernels = KernelProvider.byName("scalar");
             GptModel model = new GptModel(TINY, 5, ModelOptions.DEFAULT.withKernels(kernels));
             TrainingPass pass = model.newTrainingPass(BATCH, LENGTH);
             GptSession session = model.newSession(); Arena arena = Arena.ofConfined()) {
            int[] inputs = ids(3);
            int[] targets = ids(4);
            targets[5] = Kernels.IGNORE_INDEX;
            float loss = pass.loss(inputs, targets);
            int[][] rows = {java.util.Arrays.copyOfRange(inputs, 0, LENGTH), java.util.Arrays.copyOfRange(inputs, LENGTH, 2 * LENGTH)};
            Tensor logits = session.forward(rows, arena);
            assertEquals(kernels.crossEntropy(logits, targets, null), loss, 1e-6);
            assertEquals(loss, pass.loss(inputs, targets), "eval is a pure function of the ids");
        }
    }

    @Test
    void weightsChangedHandsTheTrainedWeightsToInference() {
        try (GptModel model = new GptModel(TINY, 5); TrainingPass pass = model.newTrainingPass(BATCH, LENGTH);
             GptSession session = model.newSession(); Arena arena = Arena.ofConfined()) {
            int[][] prompt = {{1, 2, 3, 4}};
            float[] before = session.forward(prompt, arena).toArray();
            pass.forwardBackward(ids(1), ids(2), new TorchGenerator(1), Dropout.Mode.X86_MKL);
            for (TrainingPass.Parameter p : pass.parameters()) { // one SGD step
                for (long i = 0; i < p.value().size(); i++) {
                    p.value().set(i, p.value().get(i) - 0.5f * p.grad().get(i));
                }
            }
            model.weightsChanged();
            float[] after = session.forward(prompt, arena).toArray();
            assertNotEquals(before[0], after[0]);
            // the session's logits are those of the training pass's own forward on the same ids
            try (TrainingPass one = model.newTrainingPass(1, 4)) {
                int[] targets = {5, 6, 7, 8};
                Tensor logits = Tensor.of(arena, dev.vecgpt.core.Shape.of(1, 4, TINY.vocabSize()), after);
                assertEquals(model.kernels().crossEntropy(logits, targets, null), one.loss(new int[] {1, 2, 3, 4}, targets),
                        1e-6);
            }
        }
    }

    @Test
    void badInputIsRejectedBeforeAnythingIsDrawn() {
        try (GptModel model = new GptModel(TINY, 5); TrainingPass pass = model.newTrainingPass(BATCH, LENGTH)) {
            TorchGenerator rng = new TorchGenerator(1);
            TorchGenerator untouched = rng.copy();
            int[] bad = ids(1);
            bad[4] = TINY.vocabSize();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pass.forwardBackward(bad, ids(2), rng, Dropout.Mode.PORTABLE));
            assertTrue(e.getMessage().contains("inputs[4] = 53"), e.getMessage());
            assertEquals(untouched.random(), rng.random(), "no draws");
            int[] badTarget = ids(2);
            badTarget[0] = -1;
            e = assertThrows(IllegalArgumentException.class, () -> pass.loss(ids(1), badTarget));
            assertTrue(e.getMessage().contains("targets[0] = -1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> pass.loss(new int[3], new int[3]));
            assertTrue(e.getMessage().contains("needs 18"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.newTrainingPass(1, TINY.contextLength() + 1));
            assertThrows(IllegalStateException.class, model::close, "a pass is open");
        }
    }

    @Test
    void theMemoryIsStated() {
        GptConfig book = new GptConfig(50257, 256, 768, 12, 12, 0.1, false);
        long parameters = 162_419_712L; // the book's chapter-5 model at context 256, out_head not tied
        long stream = 2L * 256 * 768;
        long weights = 2L * 12 * 256 * 256;
        long activations = 12 * (9 * stream + 2 * 4 * stream + 2 * weights) + 15 * stream + 2L * 256 * 50257
                + weights + 12 * stream;
        assertEquals((parameters + activations) * Float.BYTES, TrainingPass.bytes(book, 2, 256));
    }
}
