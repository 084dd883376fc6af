package dev.vecgpt.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** Expected strings are what PyTorch 1.13 prints for the same tensors. */
class TorchFormatTest {

    @Test
    void smallTensorsArePrintedWhole() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.of(arena, Shape.of(2, 3), 1.5f, -0.25f, 3f, 0.00005f, 2f, -1f);
            assertEquals("tensor([[ 1.5000e+00, -2.5000e-01,  3.0000e+00],\n"
                    + "        [ 5.0000e-05,  2.0000e+00, -1.0000e+00]])", TorchFormat.floats(t));
            Tensor u = Tensor.of(arena, Shape.of(3), 1.5f, -0.25f, 3f);
            assertEquals("tensor([ 1.5000, -0.2500,  3.0000])", TorchFormat.floats(u));
        }
    }

    @Test
    void largeTensorsAreSummarized() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, 1001);
            for (int i = 0; i < 1001; i++) {
                t.set(i, i);
            }
            assertEquals("tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])", TorchFormat.floats(t));
        }
    }

    @Test
    void intsArePaddedToOneWidth() {
        assertEquals("tensor([[6109, 3626, 6100,  345],\n        [6109, 1110, 6622,  257]])",
                TorchFormat.ints(new int[][] {{6109, 3626, 6100, 345}, {6109, 1110, 6622, 257}}));
    }
}
