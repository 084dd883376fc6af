package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.random;
import static dev.vecgpt.ops.simd.TestTensors.sweep;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
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

/** The SIMD matmul against the scalar reference, within {@link MatmulCheck}'s bound, and its own bits over packing, threads and calls. */
class MatmulTest {

    private final Kernels scalar = KernelProvider.byName("scalar");
    private final Kernels simd = new SimdKernels();

    static Stream<Arguments> matmulShapes() {
        Stream<Arguments> square = IntStream.of(KernelInputs.LENGTHS).filter(n -> n <= 769).mapToObj(n -> Arguments.of(n % 5 + 1, n, n));
        Stream<Arguments> gpt2 = Stream.of(
                Arguments.of(1, 1, 1),
                Arguments.of(8, 50257, 768),    // the notebook's out_head
                Arguments.of(3, 50257, 17),     // N not a multiple of 4, K not of the vector length
                Arguments.of(4, 768, 768),      // attention projections
                Arguments.of(2, 3072, 768),     // feed-forward up
                Arguments.of(2, 768, 3072),     // feed-forward down
                Arguments.of(17, 5, 769));
        return Stream.concat(square, gpt2);
    }

    @ParameterizedTest(name = "M={0} N={1} K={2}")
    @MethodSource("matmulShapes")
    void matmulAgreesWithTheReference(int m, int n, int k) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(31L * m + n + k);
            checkMatmul(arena, random(arena, random, m, k), random(arena, random, n, k));
        }
    }

    @Test
    void matmulTakesLeadingBatchDimensions() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(4);
            checkMatmul(arena, random(arena, random, 2, 4, 33), random(arena, random, 7, 33));
        }
    }

    @ParameterizedTest(name = "M={0} N={1} K={2}")
    @MethodSource("matmulShapes")
    void packedWeightsGiveTheSameBits(int m, int n, int k) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(7L * m + n + k);
            Tensor x = random(arena, random, m, k);
            Tensor w = random(arena, random, n, k);
            Tensor unpacked = Tensor.allocate(arena, m, n);
            Tensor packed = Tensor.allocate(arena, m, n);
            simd.matmul(x, w, unpacked);
            simd.matmul(x, simd.pack(w, arena), packed);
            assertBitsEqual(unpacked, packed, "simd packed vs unpacked");
            scalar.matmul(x, w, unpacked);
            scalar.matmul(x, scalar.pack(w, arena), packed);
            assertBitsEqual(unpacked, packed, "scalar packed vs unpacked");
        }
    }

    /**
     * Each output is fma-accumulated over k in order, as the reference adds its products: the same
     * order, so the only difference is the reference's extra rounding of each product.
     */
    @Test
    void matmulSumsInTheReferenceOrder() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(6);
            Tensor x = random(arena, random, 5, 77);
            Tensor w = random(arena, random, 70, 77);
            Tensor y = Tensor.allocate(arena, 5, 70);
            simd.matmul(x, w, y);
            for (int row = 0; row < 5; row++) {
                for (int col = 0; col < 70; col++) {
                    float sum = 0f;
                    for (int i = 0; i < 77; i++) {
                        sum = Math.fma(x.get(row, i), w.get(col, i), sum);
                    }
                    assertEquals(sum, y.get(row, col), "[" + row + ", " + col + "]");
                }
            }
        }
    }

    /**
     * bfloat16 weights: the SIMD kernel against the reference applied to the same rounded weights
     * (equal inputs bit for bit), with the usual tolerance, and bit-exact against the fma order.
     */
    @ParameterizedTest(name = "M={0} N={1} K={2}")
    @MethodSource("matmulShapes")
    void bf16WeightsAgreeWithTheReferenceOnRoundedWeights(int m, int n, int k) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(11L * m + n + k);
            Tensor x = random(arena, random, m, k);
            Tensor w = random(arena, random, n, k);
            Tensor rounded = Tensor.allocate(arena, n, k);
            for (long i = 0; i < w.size(); i++) {
                rounded.set(i, WeightFormat.roundToBf16(w.get(i)));
            }
            Tensor expected = Tensor.allocate(arena, m, n);
            Tensor actual = Tensor.allocate(arena, m, n);
            scalar.matmul(x, scalar.pack(w, WeightFormat.BF16, arena), expected);
            Tensor reference = Tensor.allocate(arena, m, n);
            scalar.matmul(x, rounded, reference);
            assertBitsEqual(reference, expected, "scalar bf16 = scalar on rounded weights");
            simd.matmul(x, simd.pack(w, WeightFormat.BF16, arena), actual);
            Tensor simdRounded = Tensor.allocate(arena, m, n);
            simd.matmul(x, rounded, simdRounded);
            assertBitsEqual(simdRounded, actual, "simd bf16 = simd on rounded weights");
            checkMatmul(arena, x, rounded);
        }
    }

    /** Each output is summed by one thread in a fixed order: 1, 2 and 3 threads give the same bits. */
    @Test
    void matmulIsBitwiseIdenticalForAnyThreadCount() {
        try (Arena arena = Arena.ofShared(); Arena confined = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(8);
            Tensor x = random(arena, random, 9, 768);
            Tensor w = random(arena, random, 5000, 768);
            Tensor one = Tensor.allocate(arena, 9, 5000);
            new SimdKernels(1).matmul(x, w, one);
            for (int threads : new int[] {2, 3}) {
                SimdKernels kernels = new SimdKernels(threads);
                Tensor many = Tensor.allocate(arena, 9, 5000);
                kernels.matmul(x, kernels.pack(w, arena), many);
                assertBitsEqual(one, many, threads + " threads");
                // Memory of a confined arena stays on the caller's thread, with the same result.
                Tensor confinedY = Tensor.allocate(confined, 9, 5000);
                kernels.matmul(x, kernels.pack(w, arena), confinedY);
                assertBitsEqual(one, confinedY, threads + " threads, confined output");
            }
        }
    }

    /** The SIMD sums do not depend on JIT state: the first call and the 300th give the same bits. */
    @Test
    void matmulIsDeterministic() {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(5);
            Tensor x = random(arena, random, 3, 771);
            Tensor w = random(arena, random, 9, 771);
            Tensor first = Tensor.allocate(arena, 3, 9);
            Tensor again = Tensor.allocate(arena, 3, 9);
            simd.matmul(x, w, first);
            for (int i = 0; i < 300; i++) {
                simd.matmul(x, w, again);
                assertBitsEqual(first, again, "call " + i);
            }
        }
    }

    /** Scalar and SIMD within {@link MatmulCheck}'s float32 bound. */
    private void checkMatmul(Arena arena, Tensor x, Tensor w) {
        int n = w.shape().dim(0);
        int[] yDims = x.shape().dims();
        yDims[yDims.length - 1] = n;
        Tensor expected = Tensor.allocate(arena, yDims);
        Tensor actual = Tensor.allocate(arena, yDims);
        scalar.matmul(x, w, expected);
        simd.matmul(x, w, actual);
        MatmulCheck.withinFloat32Bound(x, w, expected, actual);
    }

    /** A seeded sweep over 1,000 random shapes. */
    @Test
    void thousandRandomShapes() {
        sweep(20261130, 1000, (arena, random) -> {
            int k = random.nextInt(1, 200);
            checkMatmul(arena, random(arena, random, random.nextInt(1, 9), k), random(arena, random, random.nextInt(1, 70), k));
        });
    }
}
