package dev.vecgpt.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** The reference kernels on small cases worked out by hand. */
class ScalarKernelsTest {

    private final Kernels kernels = new CheckedKernels(new ScalarKernels(), true);

    @Test
    void gatherCopiesRows() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor table = Tensor.of(arena, Shape.of(3, 2), 0, 1, 10, 11, 20, 21);
            Tensor out = Tensor.allocate(arena, 2, 2, 2);
            kernels.gather(table, new int[] {2, 0, 1, 2}, out);
            assertArrayEquals(new float[] {20, 21, 0, 1, 10, 11, 20, 21}, out.toArray());
        }
    }

    @Test
    void addBroadcastsOverLeadingDimensions() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.of(arena, Shape.of(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
            Tensor b = Tensor.of(arena, Shape.of(2, 2), 10, 20, 30, 40);
            Tensor out = Tensor.allocate(arena, 2, 2, 2);
            kernels.add(a, b, out);
            assertArrayEquals(new float[] {11, 22, 33, 44, 15, 26, 37, 48}, out.toArray());
            kernels.add(out, out, out);
            assertArrayEquals(new float[] {22, 44, 66, 88, 30, 52, 74, 96}, out.toArray());
        }
    }

    @Test
    void matmulMultipliesByTheTransposedWeight() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = Tensor.of(arena, Shape.of(2, 3), 1, 2, 3, 4, 5, 6);
            // nn.Linear(3, 2).weight: two output rows of three inputs
            Tensor w = Tensor.of(arena, Shape.of(2, 3), 1, 0, -1, 0.5f, 0.5f, 0.5f);
            Tensor y = Tensor.allocate(arena, 2, 2);
            kernels.matmul(x, w, y);
            assertArrayEquals(new float[] {-2, 3, -2, 7.5f}, y.toArray());
        }
    }
}
