package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.random;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Q8_0 weights: the SIMD kernel multiplies by exactly the reference's dequantized weights, so it is
 * bit-identical to the float32 SIMD kernel on {@code unpack()}'s weights and within the float32
 * tolerance ({@link MatmulCheck}) of the scalar reference on them.
 */
class Q8MatmulTest {

    private final Kernels scalar = KernelProvider.byName("scalar");
    private final SimdKernels simd = new SimdKernels(1);

    static Stream<Arguments> shapes() {
        Stream<Arguments> small = IntStream.of(KernelInputs.LENGTHS).filter(n -> n <= 769)
                .mapToObj(n -> Arguments.of(n % 6 + 1, n % 70 + 1, n));
        Stream<Arguments> gpt2 = Stream.of(
                Arguments.of(1, 2304, 768),     // decode: Q, K, V
                Arguments.of(1, 3072, 768),     // decode: feed-forward up
                Arguments.of(1, 768, 3072),     // decode: feed-forward down
                Arguments.of(1, 50257, 768),    // decode: out_head
                Arguments.of(8, 50257, 33),     // N's last panel partial, K one past a block
                Arguments.of(5, 130, 47),       // K not a multiple of 32, rows past a 4-row tile
                Arguments.of(9, 768, 768));
        return Stream.concat(small, gpt2);
    }

    @ParameterizedTest(name = "M={0} N={1} K={2}")
    @MethodSource("shapes")
    void q8MultipliesByTheReferencesDequantizedWeights(int m, int n, int k) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(13L * m + n + k);
            Tensor x = random(arena, random, m, k);
            Tensor w = random(arena, random, n, k);
            PackedWeight packed = simd.pack(w, WeightFormat.Q8_0, arena);
            Tensor dequantized = scalar.pack(w, WeightFormat.Q8_0, arena).unpack(arena);
            assertBitsEqual(dequantized, packed.unpack(arena), "simd unpack = reference's dequantized weights");

            Tensor q8 = Tensor.allocate(arena, m, n);
            simd.matmul(x, packed, q8);
            Tensor f32 = Tensor.allocate(arena, m, n);
            simd.matmul(x, simd.pack(dequantized, arena), f32);
            assertBitsEqual(f32, q8, "simd Q8_0 = simd float32 on the dequantized weights");

            Tensor reference = Tensor.allocate(arena, m, n);
            scalar.matmul(x, scalar.pack(w, WeightFormat.Q8_0, arena), reference);
            MatmulCheck.withinFloat32Bound(x, dequantized, reference, q8);
        }
    }

    @Test
    void q8IsBitwiseIdenticalForAnyThreadCount() {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(14);
            Tensor x = random(arena, random, 3, 768);
            Tensor w = random(arena, random, 3000, 768);
            Tensor one = Tensor.allocate(arena, 3, 3000);
            simd.matmul(x, simd.pack(w, WeightFormat.Q8_0, arena), one);
            for (int threads : new int[] {2, 3}) {
                try (SimdKernels kernels = new SimdKernels(threads)) {
                    Tensor many = Tensor.allocate(arena, 3, 3000);
                    kernels.matmul(x, kernels.pack(w, WeightFormat.Q8_0, arena), many);
                    assertBitsEqual(one, many, threads + " threads");
                }
            }
        }
    }
}
