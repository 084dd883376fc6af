package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.TestTensors.assertBitsEqual;
import static dev.vecgpt.ops.simd.TestTensors.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SIMD backward kernels against the scalar reference over many shapes (tails, length 1, GPT-2's):
 * the embedding's, the bias's and the element-wise product bit for bit; the others within float32
 * rounding of their sums; and every one the same bits on one thread and on two.
 */
class SimdBackwardKernelsTest {

    private static final Kernels SCALAR = KernelProvider.byName("scalar");
    private static final Kernels ONE = new SimdKernels(1);
    private static final Kernels TWO = new SimdKernels(2);

    @AfterAll
    static void close() {
        ONE.close();
        TWO.close();
    }

    private static Tensor copy(Arena arena, Tensor t) {
        Tensor c = Tensor.allocate(arena, t.shape());
        MemorySegment.copy(t.segment(), 0, c.segment(), 0, t.segment().byteSize());
        return c;
    }

    /** |got − want| ≤ (k + 2)·2⁻²³ · bound + tiny, per element: the error of two float sums of k terms of magnitude at most bound. */
    private static void assertWithinSum(Tensor want, Tensor got, Tensor bound, int k, String what) {
        for (long i = 0; i < want.size(); i++) {
            double tolerance = (k + 2) * 0x1p-23 * bound.get(i) + 1e-30;
            double error = Math.abs(got.get(i) - want.get(i));
            if (error > tolerance) {
                throw new AssertionError(what + ": element " + i + " is " + got.get(i) + ", the reference's "
                        + want.get(i) + " (error " + error + ", bound " + tolerance + ")");
            }
        }
    }

    private static void assertRelative(Tensor want, Tensor got, double tolerance, String what) {
        double scale = 1e-30;
        for (long i = 0; i < want.size(); i++) {
            scale = Math.max(scale, Math.abs(want.get(i)));
        }
        for (long i = 0; i < want.size(); i++) {
            assertEquals(want.get(i), got.get(i), tolerance * scale, what + ": element " + i);
        }
    }

    static Stream<Arguments> matmulShapes() {
        return Stream.of(Arguments.of(1, 1, 1), Arguments.of(1, 3, 5), Arguments.of(2, 17, 9), Arguments.of(3, 33, 64),
                Arguments.of(5, 64, 65), Arguments.of(17, 100, 31), Arguments.of(64, 7, 130), Arguments.of(70, 129, 128),
                Arguments.of(33, 65, 257), Arguments.of(64, 768, 768), Arguments.of(32, 3072, 768),
                Arguments.of(32, 768, 3072), Arguments.of(4, 50257, 768));
    }

    @ParameterizedTest
    @MethodSource("matmulShapes")
    void matmulGradientsAgreeWithTheReference(int m, int n, int k) {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(m * 31L + n * 7L + k);
            Tensor dy = random(arena, random, m, n);
            Tensor x = random(arena, random, m, k);
            Tensor w = random(arena, random, n, k);
            Tensor dwStart = random(arena, random, n, k);
            Tensor dbStart = random(arena, random, n);
            Tensor wantDx = Tensor.allocate(arena, m, k);
            Tensor wantDw = copy(arena, dwStart);
            Tensor wantDb = copy(arena, dbStart);
            SCALAR.matmulBackwardInput(dy, w, wantDx);
            SCALAR.matmulBackwardWeight(dy, x, wantDw);
            SCALAR.biasBackward(dy, wantDb);
            // bounds: Σ|dy|·|w| per dx, Σ|dy|·|x| + |dw| per dw
            Tensor absDy = abs(arena, dy);
            Tensor dxBound = Tensor.allocate(arena, m, k);
            SCALAR.matmulBackwardInput(absDy, abs(arena, w), dxBound);
            Tensor dwBound = abs(arena, dwStart);
            SCALAR.matmulBackwardWeight(absDy, abs(arena, x), dwBound);
            for (Kernels simd : new Kernels[] {ONE, TWO}) {
                Tensor dx = Tensor.allocate(arena, m, k);
                Tensor dw = copy(arena, dwStart);
                Tensor db = copy(arena, dbStart);
                simd.matmulBackwardInput(dy, w, dx);
                simd.matmulBackwardWeight(dy, x, dw);
                simd.biasBackward(dy, db);
                assertWithinSum(wantDx, dx, dxBound, n, "dx");
                assertWithinSum(wantDw, dw, dwBound, m + 1, "dw");
                assertBitsEqual(wantDb, db, "db");
            }
            Tensor dx1 = Tensor.allocate(arena, m, k);
            Tensor dx2 = Tensor.allocate(arena, m, k);
            ONE.matmulBackwardInput(dy, w, dx1);
            TWO.matmulBackwardInput(dy, w, dx2);
            assertBitsEqual(dx1, dx2, "dx on 1 and 2 threads");
            Tensor dw1 = copy(arena, dwStart);
            Tensor dw2 = copy(arena, dwStart);
            ONE.matmulBackwardWeight(dy, x, dw1);
            TWO.matmulBackwardWeight(dy, x, dw2);
            assertBitsEqual(dw1, dw2, "dw on 1 and 2 threads");
        }
    }

    private static Tensor abs(Arena arena, Tensor t) {
        Tensor a = Tensor.allocate(arena, t.shape());
        for (long i = 0; i < t.size(); i++) {
            a.set(i, Math.abs(t.get(i)));
        }
        return a;
    }

    @ParameterizedTest
    @MethodSource("dev.vecgpt.ops.simd.KernelInputs#lengths")
    void embeddingBackwardAndMulAreBitExact(int dim) {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(dim);
            int[] ids = random.ints(13, 0, 9).toArray();
            ids[3] = ids[7]; // a repeated id
            Tensor dOut = random(arena, random, 13, dim);
            Tensor start = random(arena, random, 9, dim);
            Tensor want = copy(arena, start);
            SCALAR.embeddingBackward(dOut, ids, want);
            Tensor mask = random(arena, random, 13, dim);
            Tensor wantProduct = Tensor.allocate(arena, 13, dim);
            SCALAR.mul(dOut, mask, wantProduct);
            for (Kernels simd : new Kernels[] {ONE, TWO}) {
                Tensor got = copy(arena, start);
                simd.embeddingBackward(dOut, ids, got);
                assertBitsEqual(want, got, "dTable");
                Tensor product = copy(arena, dOut);
                simd.mul(product, mask, product);
                assertBitsEqual(wantProduct, product, "mul in place");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.vecgpt.ops.simd.KernelInputs#lengths")
    void layerNormAndGeluBackwardAgreeWithTheReference(int dim) {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(dim);
            int rows = dim > 1000 ? 3 : 40;
            Tensor x = random(arena, random, rows, dim);
            Tensor dOut = random(arena, random, rows, dim);
            Tensor scale = random(arena, random, dim);
            Tensor dxStart = random(arena, random, rows, dim);
            Tensor wantDx = copy(arena, dxStart);
            Tensor wantScale = Tensor.allocate(arena, dim);
            Tensor wantShift = Tensor.allocate(arena, dim);
            SCALAR.layerNormBackward(dOut, x, scale, 1e-5f, wantDx, wantScale, wantShift);
            Tensor wantGelu = Tensor.allocate(arena, rows, dim);
            SCALAR.geluBackward(dOut, x, wantGelu);
            for (Kernels simd : new Kernels[] {ONE, TWO}) {
                Tensor dx = copy(arena, dxStart);
                Tensor dScale = Tensor.allocate(arena, dim);
                Tensor dShift = Tensor.allocate(arena, dim);
                simd.layerNormBackward(dOut, x, scale, 1e-5f, dx, dScale, dShift);
                assertRelative(wantDx, dx, 1e-5, "dx");
                assertRelative(wantScale, dScale, 1e-5, "dScale");
                assertBitsEqual(wantShift, dShift, "dShift");
                Tensor gelu = copy(arena, dOut);
                simd.geluBackward(gelu, x, gelu);
                assertRelative(wantGelu, gelu, 1e-6, "gelu's dx");
            }
        }
    }

    static Stream<Arguments> attentionShapes() {
        // batch, length, width, heads
        return Stream.of(Arguments.of(1, 1, 4, 1), Arguments.of(2, 5, 6, 2), Arguments.of(2, 17, 48, 3),
                Arguments.of(1, 33, 130, 2), Arguments.of(2, 40, 768, 12));
    }

    @ParameterizedTest
    @MethodSource("attentionShapes")
    void attentionBackwardAgreesWithTheReference(int batch, int length, int dim, int heads) {
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom random = new SplittableRandom(length * 1000L + dim);
            Tensor q = random(arena, random, batch, length, dim);
            Tensor k = random(arena, random, batch, length, dim);
            Tensor v = random(arena, random, batch, length, dim);
            Tensor dOut = random(arena, random, batch, length, dim);
            Tensor probs = Tensor.allocate(arena, batch, heads, length, length);
            SCALAR.attentionScores(q, k, heads, probs);
            SCALAR.softmax(probs, probs);
            Tensor mask = Tensor.allocate(arena, probs.shape());
            for (long i = 0; i < mask.size(); i++) {
                mask.set(i, random.nextDouble() < 0.1 ? 0f : 1f / 0.9f);
            }
            Tensor[] want = {Tensor.allocate(arena, q.shape()), Tensor.allocate(arena, q.shape()),
                Tensor.allocate(arena, q.shape())};
            SCALAR.attentionBackward(dOut, q, k, v, probs, mask, heads, want[0], want[1], want[2]);
            Tensor[] first = null;
            for (Kernels simd : new Kernels[] {ONE, TWO}) {
                Tensor[] got = {Tensor.allocate(arena, q.shape()), Tensor.allocate(arena, q.shape()),
                    Tensor.allocate(arena, q.shape())};
                simd.attentionBackward(dOut, q, k, v, probs, mask, heads, got[0], got[1], got[2]);
                for (int i = 0; i < 3; i++) {
                    assertRelative(want[i], got[i], 1e-5, "d" + "qkv".charAt(i));
                    if (first != null) {
                        assertBitsEqual(first[i], got[i], "d" + "qkv".charAt(i) + " on 1 and 2 threads");
                    }
                }
                first = got;
            }
        }
    }

    @Test
    void crossEntropyAgreesWithTheReference() {
        for (int vocab : new int[] {1, 7, 16, 17, 100, 50257}) {
            try (Arena arena = Arena.ofShared()) {
                SplittableRandom random = new SplittableRandom(vocab);
                int rows = vocab > 1000 ? 6 : 30;
                Tensor logits = random(arena, random, rows, vocab);
                for (long i = 0; i < logits.size(); i++) {
                    logits.set(i, logits.get(i) * 5);
                }
                int[] targets = random.ints(rows, 0, vocab).toArray();
                targets[1] = Kernels.IGNORE_INDEX;
                Tensor want = Tensor.allocate(arena, logits.shape());
                float wantLoss = SCALAR.crossEntropy(logits, targets, want);
                for (Kernels simd : new Kernels[] {ONE, TWO}) {
                    Tensor got = copy(arena, logits);
                    float loss = simd.crossEntropy(got, targets, got);
                    assertEquals(wantLoss, loss, 2e-6 * Math.max(1, Math.abs(wantLoss)), "loss at vocab " + vocab);
                    assertEquals(wantLoss, simd.crossEntropy(logits, targets, null), 2e-6 * Math.max(1, Math.abs(wantLoss)));
                    assertRelative(want, got, 1e-5, "dLogits at vocab " + vocab);
                    for (int i = 0; i < vocab; i++) {
                        assertTrue(got.get((long) vocab + i) == 0f, "an ignored row's gradient is zero");
                    }
                }
            }
        }
    }
}
