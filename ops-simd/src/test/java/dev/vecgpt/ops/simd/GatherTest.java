package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.random;
import static dev.vecgpt.ops.simd.TestTensors.sweep;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The SIMD embedding gather against the scalar reference, bit for bit. */
class GatherTest {

    private final Kernels scalar = KernelProvider.byName("scalar");
    private final Kernels simd = new SimdKernels();

    @ParameterizedTest
    @MethodSource("dev.vecgpt.ops.simd.KernelInputs#lengths")
    void gatherIsBitExactForEveryRowLength(int dim) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(dim);
            Tensor table = random(arena, random, 37, dim);
            int[] ids = random.ints(11, 0, 37).toArray();
            checkGather(arena, table, ids);
        }
    }

    @Test
    void gatherFromTheGpt2TokenTable() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(1);
            Tensor table = random(arena, random, 50257, 768);
            checkGather(arena, table, new int[] {0, 50256, 6109, 3626, 6100, 345, 6109, 1110});
            checkGather(arena, table, random.ints(1024, 0, 50257).toArray());
        }
    }

    private void checkGather(Arena arena, Tensor table, int[] ids) {
        int dim = table.shape().dim(1);
        Tensor expected = Tensor.allocate(arena, ids.length, dim);
        Tensor actual = Tensor.allocate(arena, ids.length, dim);
        scalar.gather(table, ids, expected);
        simd.gather(table, ids, actual);
        assertBitsEqual(expected, actual, "gather of " + ids.length + " rows of " + dim);
        assertEquals(table.get((long) ids[ids.length - 1] * dim + dim - 1), actual.get(actual.size() - 1));
    }

    /** A seeded sweep over 1,000 random shapes. */
    @Test
    void thousandRandomShapes() {
        sweep(20261125, 1000, (arena, random) -> {
            int dim = random.nextInt(1, 300);
            Tensor table = random(arena, random, random.nextInt(1, 50), dim);
            checkGather(arena, table, random.ints(random.nextInt(1, 9), 0, table.shape().dim(0)).toArray());
        });
    }
}
