package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.model.notebook.DummyGptModel;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's library example, as written there, so that it keeps compiling and running. */
class ReadmeExampleTest {

    @Test
    void theReadmeExampleRuns() {
        try (Arena arena = Arena.ofConfined();                                // you own the memory
             DummyGptModel model = new DummyGptModel(GptConfig.GPT_CONFIG_124M, 123)) {
            int[][] ids = new Tokenizer().encodeBatch(List.of("Every effort moves you"));
            Tensor logits = model.eval().forward(ids, arena);                 // [1, 4, 50257]

            Kernels ops = KernelProvider.kernels();                           // simd, or scalar and why
            Tensor x = Tensor.allocate(arena, 4, 768);
            ops.gather(model.tokenEmbedding(), ids[0], x);                    // embedding lookup
            PackedWeight head = ops.pack(model.outHead(), arena);             // W [out, in], as nn.Linear
            ops.matmul(x, head, Tensor.allocate(arena, 4, 50257));            // x · Wᵀ

            assertEquals(Shape.of(1, 4, 50257), logits.shape());
            assertEquals(model.tokenEmbedding().get(6109L * 768 + 767), x.get(767));
        }
    }
}
