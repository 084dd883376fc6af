package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.KernelInputs.gaussian;
import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code attention} in one call, over keys transposed, is the three kernels in turn over keys as
 * they are, bit for bit: for the SIMD kernels (which skip the masked keys and keep no scores
 * tensor) and for the reference (whose default transposes and copies the attended positions out
 * of larger buffers), over key buffers longer than the keys attended, batches, head widths around
 * the vector width, and any thread count.
 */
class FusedAttentionTest {

    private final Kernels scalar = KernelProvider.byName("scalar");

    /** batch, heads, queries, keys, positions the buffers hold, head width. */
    static Stream<Arguments> shapes() {
        Stream.Builder<Arguments> shapes = Stream.builder();
        for (int d : AttentionTest.HEAD_DIMS) {
            shapes.add(Arguments.of(1, 2, 1, 1, 1, d));      // the first token
            shapes.add(Arguments.of(1, 3, 1, 13, 20, d));    // a decode step over a cache buffer
            shapes.add(Arguments.of(2, 2, 7, 7, 7, d));      // prefill, batch of two
            shapes.add(Arguments.of(2, 2, 6, 11, 16, d));    // queries after cached keys, batch of two
        }
        shapes.add(Arguments.of(1, 12, 1, 1024, 1024, 64));  // GPT-2: decode at the full context
        shapes.add(Arguments.of(1, 12, 1, 37, 1024, 64));    // decode early in a cache buffer
        shapes.add(Arguments.of(1, 12, 64, 64, 64, 64));     // a prompt
        shapes.add(Arguments.of(1, 12, 19, 83, 1024, 64));   // a prompt after cached positions
        return shapes.build();
    }

    @ParameterizedTest(name = "B={0} H={1} T={2} keys={3} S={4} d={5}")
    @MethodSource("shapes")
    void simdAttentionIsItsThreeKernelsBitForBit(int batch, int heads, int queries, int keys, int positions, int d) {
        try (SimdKernels simd = new SimdKernels(1)) {
            check(simd, batch, heads, queries, keys, positions, d, new SplittableRandom(keys * 31L + d));
        }
    }

    @ParameterizedTest(name = "B={0} H={1} T={2} keys={3} S={4} d={5}")
    @MethodSource("shapes")
    void referenceAttentionIsItsThreeKernelsBitForBit(int batch, int heads, int queries, int keys, int positions,
                                                      int d) {
        if ((long) queries * keys * d * heads <= 1 << 22) { // the reference is slow; its logic is the same for all
            check(scalar, batch, heads, queries, keys, positions, d, new SplittableRandom(keys * 37L + d));
        }
    }

    /** 500 random small shapes, from one seed. */
    @Test
    void randomShapes() {
        SplittableRandom random = new SplittableRandom(20261127);
        try (SimdKernels simd = new SimdKernels(1)) {
            for (int i = 0; i < 500; i++) {
                int queries = random.nextInt(1, 12);
                int keys = queries + random.nextInt(0, 40);
                check(simd, random.nextInt(1, 3), random.nextInt(1, 4), queries, keys, keys + random.nextInt(0, 5),
                        random.nextInt(1, 70), random);
            }
        }
    }

    /** Above the threshold for splitting the rows (4M multiply-adds): 1, 2 and 3 threads, the same bits. */
    @Test
    void anyThreadCountGivesTheSameBits() {
        try (Arena arena = Arena.ofShared();
             SimdKernels one = new SimdKernels(1);
             SimdKernels two = new SimdKernels(2);
             SimdKernels three = new SimdKernels(3)) {
            SplittableRandom random = new SplittableRandom(23);
            int dim = 4 * 64;
            Tensor q = gaussian(arena, random, 1, 0, 2, 301, dim);
            Tensor k = gaussian(arena, random, 1, 0, 2, 520, dim);
            Tensor v = gaussian(arena, random, 1, 0, 2, 520, dim);
            Tensor kT = transposed(arena, k);
            Tensor expected = Tensor.allocate(arena, 2, 301, dim);
            one.attention(q, kT, v, 517, 4, expected);
            for (SimdKernels many : new SimdKernels[] {two, three}) {
                Tensor actual = Tensor.allocate(arena, 2, 301, dim);
                many.attention(q, kT, v, 517, 4, actual);
                assertBitsEqual(expected, actual, many.threads() + " threads");
            }
            check(two, 2, 4, 301, 517, 520, 64, random);
        }
    }

    /**
     * {@code kernels.attention} over buffers of {@code positions} against scores, softmax and values
     * of the same kernels over copies of the first {@code keys} positions.
     */
    private static void check(Kernels kernels, int batch, int heads, int queries, int keys, int positions, int d,
                              SplittableRandom random) {
        int dim = heads * d;
        try (Arena arena = Arena.ofShared()) {
            Tensor q = gaussian(arena, random, 1.5, 0, batch, queries, dim);
            Tensor k = gaussian(arena, random, 1.5, 0, batch, positions, dim);
            Tensor v = gaussian(arena, random, 1, 0, batch, positions, dim);
            Tensor attended = first(arena, k, keys);
            Tensor scores = Tensor.allocate(arena, batch, heads, queries, keys);
            kernels.attentionScores(q, attended, heads, scores);
            kernels.softmax(scores, scores);
            Tensor expected = Tensor.allocate(arena, batch, queries, dim);
            kernels.attentionValues(scores, first(arena, v, keys), heads, expected);
            Tensor actual = Tensor.allocate(arena, batch, queries, dim);
            kernels.attention(q, transposed(arena, k), v, keys, heads, actual);
            assertBitsEqual(expected, actual, kernels.name() + " attention, B=" + batch + " H=" + heads + " T="
                    + queries + " keys=" + keys + " S=" + positions + " d=" + d);
        }
    }

    /** {@code kT [B, D, S]} of {@code k [B, S, D]}. */
    static Tensor transposed(Arena arena, Tensor k) {
        int batch = k.shape().dim(0);
        int positions = k.shape().dim(1);
        int dim = k.shape().dim(2);
        Tensor kT = Tensor.allocate(arena, batch, dim, positions);
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < positions; s++) {
                for (int i = 0; i < dim; i++) {
                    kT.set(((long) b * dim + i) * positions + s, k.get(b, s, i));
                }
            }
        }
        return kT;
    }

    /** A copy of the first {@code keys} positions of each batch of {@code t [B, S, D]}. */
    private static Tensor first(Arena arena, Tensor t, int keys) {
        int batch = t.shape().dim(0);
        int dim = t.shape().dim(2);
        Tensor copy = Tensor.allocate(arena, batch, keys, dim);
        long bytes = (long) keys * dim * Float.BYTES;
        for (int b = 0; b < batch; b++) {
            MemorySegment.copy(t.segment(), b * (long) t.shape().dim(1) * dim * Float.BYTES, copy.segment(), b * bytes,
                    bytes);
        }
        return copy;
    }
}
