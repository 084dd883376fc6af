package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * What storing every linear weight as bfloat16 or Q8_0 costs against float32, on the seeded 124M model
 * (context 256, as the book's chapter 5): the largest logit difference over a real text's positions, and
 * the change in its cross-entropy. The bounds are the README's figures with a margin.
 */
class WeightFormatAccuracyTest {

    private static final GptConfig CONFIG = new GptConfig(50257, 256, 768, 12, 12, 0.1, false);

    private record Result(float[] logits, double crossEntropy) {}

    private static Result run(WeightFormat format, int[] ids) {
        try (GptModel model = new GptModel(CONFIG, 123, ModelOptions.DEFAULT.withFormat(format));
             GptSession session = model.newSession();
             Arena arena = Arena.ofShared()) {
            Tensor logits = session.forward(new int[][] {java.util.Arrays.copyOf(ids, 64)}, arena);
            return new Result(logits.toArray(), session.score(ids, new ScoreWindows(256, 256, 4)).crossEntropy());
        }
    }

    @Test
    void bf16AndQ8CostLittleAgainstFloat32() {
        int[] ids = new Tokenizer().encode(Reference.text("score/long.txt"));
        Result f32 = run(WeightFormat.F32, ids);
        for (WeightFormat format : new WeightFormat[] {WeightFormat.BF16, WeightFormat.Q8_0}) {
            Result other = run(format, ids);
            float worst = 0;
            for (int i = 0; i < f32.logits().length; i++) {
                worst = Math.max(worst, Math.abs(f32.logits()[i] - other.logits()[i]));
            }
            double change = other.crossEntropy() - f32.crossEntropy();
            System.out.printf(Locale.ROOT, "%s vs F32: largest logit difference %.3g over 64 positions; "
                    + "cross-entropy %.6f vs %.6f (%+.2g nats)%n", format, worst, other.crossEntropy(),
                    f32.crossEntropy(), change);
            float bound = format == WeightFormat.BF16 ? 0.02f : 0.03f;
            assertTrue(worst < bound, format + ": " + worst);
            assertTrue(Math.abs(change) < 2e-3, format + ": " + change);
        }
    }
}
