package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The matmul with this JVM's register tile (Maven also runs this class with {@code -Dvecgpt.tileRows=2}
 * and {@code 1}): within the float32 bound of the reference, and every format bit for bit equal to the
 * fma order, which no tile changes. Rows 15, 16 and 19 cross {@link PanelMatmul#TILE4_MIN_ROWS}: two-row
 * tiles below it, four-row tiles and then two- and one-row ones at and above it.
 */
class TileTest {

    @Test
    void theTileFollowsThePropertyOrTheMachine() {
        String forced = System.getProperty("vecgpt.tileRows");
        assertEquals(forced != null ? Integer.parseInt(forced) : MachineShape.detect().tileRows(), PanelMatmul.ROWS);
    }

    @Test
    void everyFormatAgreesWithTheReferenceAndTheFmaOrder() {
        Kernels scalar = KernelProvider.byName("scalar");
        try (Arena arena = Arena.ofShared(); SimdKernels simd = new SimdKernels(2)) {
            SplittableRandom random = new SplittableRandom(21);
            for (int[] mnk : new int[][] {{1, 70, 33}, {2, 130, 64}, {3, 129, 100}, {5, 64, 768}, {8, 2000, 768}, {13, 200, 47},
                    {15, 65, 40}, {16, 130, 64}, {19, 70, 33}}) {
                Tensor x = random(arena, random, mnk[0], mnk[2]);
                Tensor w = random(arena, random, mnk[1], mnk[2]);
                for (WeightFormat format : WeightFormat.values()) {
                    Tensor rounded = scalar.pack(w, format, arena).unpack(arena);
                    Tensor expected = Tensor.allocate(arena, mnk[0], mnk[1]);
                    scalar.matmul(x, rounded, expected);
                    Tensor actual = Tensor.allocate(arena, mnk[0], mnk[1]);
                    simd.matmul(x, simd.pack(w, format, arena), actual);
                    MatmulCheck.withinFloat32Bound(x, rounded, expected, actual);
                    Tensor fmaOrder = Tensor.allocate(arena, mnk[0], mnk[1]);
                    for (int row = 0; row < mnk[0]; row++) {
                        for (int col = 0; col < mnk[1]; col++) {
                            float sum = 0f;
                            for (int i = 0; i < mnk[2]; i++) {
                                sum = Math.fma(x.get(row, i), rounded.get(col, i), sum);
                            }
                            fmaOrder.set((long) row * mnk[1] + col, sum);
                        }
                    }
                    assertBitsEqual(fmaOrder, actual, format + " " + mnk[0] + "x" + mnk[1] + "x" + mnk[2]);
                }
            }
        }
    }
}
