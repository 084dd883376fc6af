package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.TestTensors.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Shape;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad calls through the checked kernels, scalar and SIMD alike: a clear exception naming the bad
 * value, and the output left exactly as it was.
 */
class BadInputTest {

    private static final float SENTINEL = 42f;

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void gatherRejectsIdsOutsideTheTable(String name) {
        Kernels kernels = KernelProvider.byName(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor table = filled(arena, 1f, 10, 4);
            Tensor out = filled(arena, SENTINEL, 3, 4);
            expect(out, IndexOutOfBoundsException.class, "ids[2] = 10", () -> kernels.gather(table, new int[] {0, 9, 10}, out));
            expect(out, IndexOutOfBoundsException.class, "ids[0] = -1", () -> kernels.gather(table, new int[] {-1, 0, 0}, out));
            expect(out, IllegalArgumentException.class, "must hold 2 rows", () -> kernels.gather(table, new int[] {0, 1}, out));
            expect(out, IllegalArgumentException.class, "ids is empty", () -> kernels.gather(table, new int[0], out));
            Tensor wide = filled(arena, SENTINEL, 3, 5);
            expect(wide, IllegalArgumentException.class, "rows of 4", () -> kernels.gather(table, new int[] {0, 1, 2}, wide));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void addRejectsShapesThatDoNotBroadcast(String name) {
        Kernels kernels = KernelProvider.byName(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = filled(arena, 1f, 2, 4, 8);
            Tensor out = filled(arena, SENTINEL, 2, 4, 8);
            expect(out, IllegalArgumentException.class, "b [3, 8]", () -> kernels.add(a, filled(arena, 1f, 3, 8), out));
            expect(out, IllegalArgumentException.class, "b [4, 7]", () -> kernels.add(a, filled(arena, 1f, 4, 7), out));
            Tensor small = filled(arena, SENTINEL, 4, 8);
            expect(small, IllegalArgumentException.class, "out [4, 8]", () -> kernels.add(a, small, small));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void matmulRejectsMismatchedShapes(String name) {
        Kernels kernels = KernelProvider.byName(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = filled(arena, 1f, 2, 768);
            Tensor w = filled(arena, 1f, 5, 768);
            Tensor y = filled(arena, SENTINEL, 2, 5);
            expect(y, IllegalArgumentException.class, "last dimension 767",
                    () -> kernels.matmul(filled(arena, 1f, 2, 767), w, y));
            expect(y, IllegalArgumentException.class, "must be [2, 6]",
                    () -> kernels.matmul(x, filled(arena, 1f, 6, 768), y));
            expect(y, IllegalArgumentException.class, "w must be [N, K]",
                    () -> kernels.matmul(x, filled(arena, 1f, 1, 5, 768), y));
            Tensor square = filled(arena, SENTINEL, 4, 4);
            expect(square, IllegalArgumentException.class, "overlaps",
                    () -> kernels.matmul(square, filled(arena, 1f, 4, 4), square));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void packedWeightsBelongToTheirKernelsAndArena(String name) {
        Kernels kernels = KernelProvider.byName(name);
        Kernels other = KernelProvider.byName(name.equals("simd") ? "scalar" : "simd");
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = filled(arena, 1f, 2, 8);
            Tensor y = filled(arena, SENTINEL, 2, 3);
            PackedWeight foreign = other.pack(filled(arena, 1f, 3, 8), arena);
            expect(y, IllegalArgumentException.class, "packed by the " + other.name(), () -> kernels.matmul(x, foreign, y));
            PackedWeight wrongK = kernels.pack(filled(arena, 1f, 3, 9), arena);
            expect(y, IllegalArgumentException.class, "needs 9", () -> kernels.matmul(x, wrongK, y));
            Arena closing = Arena.ofConfined();
            PackedWeight dead = kernels.pack(Tensor.allocate(closing, 3, 8), closing);
            closing.close();
            expect(y, IllegalStateException.class, "closed arena", () -> kernels.matmul(x, dead, y));
            expect(y, IllegalArgumentException.class, "w must be [N, K]",
                    () -> kernels.pack(filled(arena, 1f, 24), arena));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void tensorsOfAClosedArenaAreRefused(String name) {
        Kernels kernels = KernelProvider.byName(name);
        Arena closed = Arena.ofConfined();
        Tensor dead = Tensor.allocate(closed, 4, 4);
        closed.close();
        try (Arena arena = Arena.ofConfined()) {
            Tensor live = filled(arena, 1f, 4, 4);
            Tensor out = filled(arena, SENTINEL, 4, 4);
            expect(out, IllegalStateException.class, "w [4, 4] belongs to a closed arena", () -> kernels.matmul(live, dead, out));
            expect(out, IllegalStateException.class, "table [4, 4] belongs to a closed arena",
                    () -> kernels.gather(dead, new int[] {0, 1, 2, 3}, out));
            expect(out, IllegalStateException.class, "b [4, 4] belongs to a closed arena", () -> kernels.add(live, dead, out));
            assertThrows(IllegalStateException.class, () -> kernels.add(live, live, dead));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void attentionRejectsKeyCountsAndShapesThatDoNotFit(String name) {
        Kernels kernels = KernelProvider.byName(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor q = filled(arena, 1f, 1, 3, 8);
            Tensor kT = filled(arena, 1f, 1, 8, 10);
            Tensor v = filled(arena, 1f, 1, 10, 8);
            Tensor out = filled(arena, SENTINEL, 1, 3, 8);
            expect(out, IllegalArgumentException.class, "keys is 2, must be in [3, 10]",
                    () -> kernels.attention(q, kT, v, 2, 2, out));
            expect(out, IllegalArgumentException.class, "keys is 11, must be in [3, 10]",
                    () -> kernels.attention(q, kT, v, 11, 2, out));
            expect(out, IllegalArgumentException.class, "keys is 10, must be in [3, 9]",
                    () -> kernels.attention(q, kT, filled(arena, 1f, 1, 9, 8), 10, 2, out));
            expect(out, IllegalArgumentException.class, "kT [1, 10, 8] must be [1, 8, S] (keys transposed)",
                    () -> kernels.attention(q, filled(arena, 1f, 1, 10, 8), v, 5, 2, out));
            expect(out, IllegalArgumentException.class, "v [1, 10, 6] must be [1, S, 8]",
                    () -> kernels.attention(q, kT, filled(arena, 1f, 1, 10, 6), 5, 2, out));
            expect(out, IllegalArgumentException.class, "3 heads do not divide q's width 8",
                    () -> kernels.attention(q, kT, v, 5, 3, out));
            Tensor wide = filled(arena, SENTINEL, 1, 4, 8);
            expect(wide, IllegalArgumentException.class, "out [1, 4, 8] must have x's shape [1, 3, 8]",
                    () -> kernels.attention(q, kT, v, 5, 2, wide));
            Tensor values = filled(arena, SENTINEL, 10, 8);
            Tensor inValues = values.slice(7, 10).reshape(Shape.of(1, 3, 8));
            expect(inValues, IllegalArgumentException.class, "out overlaps v",
                    () -> kernels.attention(q, kT, values.reshape(Shape.of(1, 10, 8)), 5, 2, inValues));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "simd"})
    void transposeIntoRejectsColumnsOutsideItsTarget(String name) {
        Kernels kernels = KernelProvider.byName(name);
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = filled(arena, 1f, 1, 3, 8);
            Tensor xT = filled(arena, SENTINEL, 1, 8, 10);
            expect(xT, IllegalArgumentException.class, "at is 8, must be in [0, 7]", () -> kernels.transposeInto(x, xT, 8));
            expect(xT, IllegalArgumentException.class, "at is -1, must be in [0, 7]", () -> kernels.transposeInto(x, xT, -1));
            Tensor narrow = filled(arena, SENTINEL, 1, 6, 10);
            expect(narrow, IllegalArgumentException.class, "xT [1, 6, 10] must be [1, 8, S]",
                    () -> kernels.transposeInto(x, narrow, 0));
        }
    }

    private static void expect(Tensor out, Class<? extends RuntimeException> type, String message, Executable call) {
        RuntimeException e = assertThrows(type, call);
        assertTrue(e.getMessage().contains(message), () -> "message '" + e.getMessage() + "' lacks '" + message + "'");
        for (long i = 0; i < out.size(); i++) {
            assertEquals(SENTINEL, out.get(i), "output changed at " + i);
        }
    }
}
