package dev.vecgpt.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.model.Reference;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AdamW and clip_grad_norm_ against torch.optim.AdamW's bits (reference/training/adamw_oracle.json). */
class AdamWTest {

    private static float[] floats(JsonNode int32Bits) {
        float[] out = new float[int32Bits.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.intBitsToFloat(int32Bits.get(i).intValue());
        }
        return out;
    }

    private static void assertBits(JsonNode expected, Tensor actual, String what) {
        float[] want = floats(expected);
        float[] got = actual.toArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                    what + " [" + i + "]: " + want[i] + " vs " + got[i]);
        }
    }

    @Test
    void stepsAreTorchsBits() {
        for (JsonNode c : Reference.json("training/adamw_oracle.json").get("cases")) {
            int n = c.get("n").intValue();
            String name = "n=" + n + " lr=" + c.get("lr") + " wd=" + c.get("weight_decay");
            try (Arena arena = Arena.ofConfined()) {
                List<Shape> shapes = List.of(Shape.of(n), Shape.of(3, 7));
                List<Tensor> values = List.of(Tensor.of(arena, shapes.get(0), floats(c.get("initial_bits").get(0))),
                        Tensor.of(arena, shapes.get(1), floats(c.get("initial_bits").get(1))));
                List<Tensor> grads = List.of(Tensor.allocate(arena, shapes.get(0)), Tensor.allocate(arena, shapes.get(1)));
                try (AdamW adam = new AdamW(values, grads, AdamW.Settings.of(c.get("lr").doubleValue(),
                        c.get("weight_decay").doubleValue()))) {
                    int s = 0;
                    for (JsonNode step : c.get("steps")) {
                        String at = name + " step " + ++s;
                        adam.zeroGrad();
                        for (int k = 0; k < 2; k++) {
                            grads.get(k).copyFrom(floats(step.get("grads_bits").get(k)));
                        }
                        if (!c.get("max_norm").isNull()) {
                            float norm = adam.clipGradNorm(c.get("max_norm").doubleValue());
                            double want = step.get("total_norm").doubleValue();
                            assertEquals(want, norm, 2e-6 * want, at + " total norm");
                            for (int k = 0; k < 2; k++) { // the norm's rounding may differ: compare to 1e-6
                                float[] w = floats(step.get("clipped_grads_bits").get(k));
                                float[] g = grads.get(k).toArray();
                                for (int i = 0; i < w.length; i++) {
                                    assertEquals(w[i], g[i], 1e-6 * Math.abs(w[i]) + 1e-30, at + " clipped grad");
                                }
                                grads.get(k).copyFrom(w); // continue from PyTorch's clipped gradients
                            }
                        }
                        adam.step();
                        assertEquals(s, adam.steps());
                        for (int k = 0; k < 2; k++) {
                            assertBits(step.get("exp_avg_bits").get(k), adam.expAvg().get(k), at + " exp_avg " + k);
                            assertBits(step.get("exp_avg_sq_bits").get(k), adam.expAvgSq().get(k), at + " exp_avg_sq " + k);
                            assertBits(step.get("params_bits").get(k), values.get(k), at + " param " + k);
                        }
                    }
                }
            }
        }
    }

    @Test
    void zeroGradAndBadSettings() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor p = Tensor.of(arena, Shape.of(3), 1, 2, 3);
            Tensor g = Tensor.of(arena, Shape.of(3), 4, 5, 6);
            try (AdamW adam = new AdamW(List.of(p), List.of(g), AdamW.Settings.of(1e-3, 0.1))) {
                adam.zeroGrad();
                assertArrayEquals(new float[3], g.toArray());
            }
            assertThrows(IllegalArgumentException.class,
                    () -> new AdamW(List.of(p), List.of(Tensor.allocate(arena, 4)), AdamW.Settings.of(1e-3, 0)));
        }
        assertThrows(IllegalArgumentException.class, () -> AdamW.Settings.of(0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> AdamW.Settings.of(-1e-3, 0.1));
        assertThrows(IllegalArgumentException.class, () -> AdamW.Settings.of(Double.NaN, 0.1));
        assertThrows(IllegalArgumentException.class, () -> AdamW.Settings.of(1e-3, -0.1));
    }
}
