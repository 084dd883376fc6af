package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Runs the five transformer kernels on fixed inputs and prints a SHA-256 of every output's bits:
 * {@link JitTierTest} runs it in JVMs limited to the interpreter and to C1, and compares with the
 * digests of the same calls compiled by C2 in its own JVM. Small inputs (an interpreted vector
 * operation costs microseconds) that still reach every path: whole vectors and a tail in each row,
 * head widths with and without a partial vector, keys four at a time and one at a time.
 */
public final class TierProbe {

    private TierProbe() {}

    public static void main(String[] args) {
        System.out.println(digests(new SimdKernels(1)));
    }

    static String digests(Kernels kernels) {
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom random = new SplittableRandom(2026);
            Tensor x = KernelInputs.gaussian(arena, random, 3, 0.5, 3, 2 * 16 * 3 + 7);
            Tensor scale = KernelInputs.gaussian(arena, random, 1, 0, x.shape().dim(1));
            Tensor shift = KernelInputs.gaussian(arena, random, 1, 0, x.shape().dim(1));
            StringBuilder all = new StringBuilder();
            for (int d : new int[] {3, 64, 67}) {
                Tensor q = KernelInputs.gaussian(arena, random, 1, 0, 1, 6, 2 * d);
                Tensor k = KernelInputs.gaussian(arena, random, 1, 0, 1, 11, 2 * d);
                Tensor v = KernelInputs.gaussian(arena, random, 1, 0, 1, 11, 2 * d);
                for (Tensor out : KernelInputs.run(kernels, arena, x, scale, shift, q, k, v)) {
                    all.append(sha256(out)).append('\n');
                }
            }
            return all.toString();
        }
    }

    private static String sha256(Tensor t) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(t.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
