package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.KernelInputs.gaussian;
import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.expectClose;
import static dev.vecgpt.ops.simd.TestTensors.sweep;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SIMD GELU against the scalar reference, within {@code |Δ| ≤ |x|·2⁻²³ + ulp(reference)} per
 * element, rigorous: the reference's operations in its order, except tanh, which is within one ulp
 * of {@code (float) Math.tanh} for every float (checked exhaustively; {@link VectorFunctionsTest}
 * samples it). One ulp of tanh is at most 2⁻²⁴ below 1, and {@code 1 + tanh} may then round either
 * way: at most 2⁻²³ for both, times 0.5·|x|, plus the final rounding. Largest difference seen: 0.66
 * of the bound; where the two tanh agree (99.8 % of floats) the outputs are the same bits. NaN,
 * infinities and signed zeros are the reference's.
 */
class ActivationsTest {

    private final Kernels scalar = KernelProvider.byName("scalar");
    private final Kernels simd = new SimdKernels(1);

    @ParameterizedTest
    @MethodSource("dev.vecgpt.ops.simd.KernelInputs#lengths")
    void geluAgreesWithTheReference(int n) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(n);
            checkGelu(arena, gaussian(arena, random, 3, 0, 3, n));
        }
    }

    @Test
    void geluAtGpt2ShapesAndOverTheWholeFloatRange() {
        try (Arena arena = Arena.ofConfined()) {
            checkGelu(arena, gaussian(arena, new SplittableRandom(3072), 2, 0, 128, 3072));
            // Every 4099th float: subnormals, the tanh split, saturation, overflow of x³, ±∞ and NaN.
            Tensor x = Tensor.allocate(arena, (int) ((1L << 32) / 4099));
            for (long i = 0; i < x.size(); i++) {
                x.set(i, Float.intBitsToFloat((int) (Integer.MIN_VALUE + i * 4099)));
            }
            checkGelu(arena, x);
        }
    }

    @Test
    void geluInPlace() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor x = gaussian(arena, new SplittableRandom(4), 3, 0, 5, 77);
            Tensor separate = Tensor.allocate(arena, 5, 77);
            simd.gelu(x, separate);
            simd.gelu(x, x);
            assertBitsEqual(separate, x, "in-place gelu");
        }
    }

    /** See the class comment. NaN must stay NaN, infinities and signed zeros must match exactly. */
    private void checkGelu(Arena arena, Tensor x) {
        Tensor expected = Tensor.allocate(arena, x.shape());
        Tensor actual = Tensor.allocate(arena, x.shape());
        scalar.gelu(x, expected);
        simd.gelu(x, actual);
        for (long i = 0; i < x.size(); i++) {
            float e = expected.get(i);
            if (Float.isNaN(e) || Float.isInfinite(e) || e == 0) {
                if (Float.compare(e, actual.get(i)) != 0) {
                    fail("gelu(" + x.get(i) + "): scalar " + e + ", simd " + actual.get(i));
                }
                continue;
            }
            expectClose("gelu " + x.shape() + " of " + x.get(i), i, expected, actual,
                    Math.abs(x.get(i)) * 0x1p-23 + Math.ulp(e));
        }
    }

    /** A seeded sweep over 1,000 random small shapes. */
    @Test
    void thousandRandomShapes() {
        sweep(20261127, 1000, (arena, random) -> {
            checkGelu(arena, gaussian(arena, random, random.nextDouble(0.1, 6), 0, random.nextInt(1, 5),
                    random.nextInt(1, 300)));
        });
    }
}
