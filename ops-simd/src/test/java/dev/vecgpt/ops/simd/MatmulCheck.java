package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vecgpt.core.Tensor;

/**
 * The matmul tolerance: each of two float32 sums of K products is within {@code K·u·Σ|x·w|} of the
 * exact value (u = 2⁻²⁴, the standard bound for any summation order, with or without FMA), so two
 * of them differ by at most twice that.
 */
final class MatmulCheck {

    private MatmulCheck() {}

    static void withinFloat32Bound(Tensor x, Tensor w, Tensor expected, Tensor actual) {
        int k = w.shape().dim(1);
        int n = w.shape().dim(0);
        long m = x.size() / k;
        float[] xs = x.toArray();
        float[] ws = w.toArray();
        for (int row = 0; row < m; row++) {
            for (int col = 0; col < n; col++) {
                double magnitude = 0;
                for (int i = 0; i < k; i++) {
                    magnitude += Math.abs((double) xs[row * k + i] * ws[col * k + i]);
                }
                double bound = 2 * k * 0x1p-24 * magnitude;
                long at = (long) row * n + col;
                double diff = Math.abs((double) expected.get(at) - actual.get(at));
                if (diff > bound) {
                    fail("matmul M=" + m + " N=" + n + " K=" + k + " at [" + row + ", " + col + "]: expected "
                            + expected.get(at) + ", got " + actual.get(at) + ", |diff| " + diff + " > " + bound);
                }
            }
        }
    }
}
