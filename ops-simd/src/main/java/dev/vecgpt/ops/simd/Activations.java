package dev.vecgpt.ops.simd;

import static dev.vecgpt.ops.simd.SimdKernels.SPECIES;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * Element-wise activations. Each output depends on its input only, through operations the JIT
 * cannot change (see {@link VectorFunctions}), so any split of the elements gives the same bits.
 */
final class Activations {

    private static final int LANES = SPECIES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    /** √(2/π) rounded to float, computed as the reference does. */
    private static final float GELU_SCALE = (float) Math.sqrt(2 / Math.PI);
    private static final float GELU_CUBE = 0.044715f;

    /** Elements per inner loop, so that its counter is an int even for tensors of more than 2³¹ floats. */
    private static final int BLOCK = 1 << 24;

    private static final ThreadLocal<Gelu> CALLS = ThreadLocal.withInitial(Gelu::new);

    private Activations() {}

    static void gelu(Tensor x, Tensor out, WorkerPool pool) {
        CALLS.get().run(x.segment(), null, out.segment(), x.size(), pool);
    }

    private static final class Gelu extends Elementwise.VectorRuns {
        @Override
        void elements(long from, long to) {
            gelu(a, out, from, to);
        }
    }

    /** Elements {@code [from, to)}, in blocks. */
    private static void gelu(MemorySegment x, MemorySegment out, long from, long to) {
        for (long block = from; block < to; block += BLOCK) {
            geluBlock(x, out, block, (int) Math.min(BLOCK, to - block));
        }
    }

    /**
     * {@code count} elements from element {@code first}; the elements after the last whole vector
     * through {@link #gelu(float)}, the same operations on one float. Each element is read before
     * it is written, so out may be x.
     */
    private static void geluBlock(MemorySegment x, MemorySegment out, long first, int count) {
        long base = first * Float.BYTES;
        int vectorEnd = count - count % LANES;
        int i = 0;
        for (; i < vectorEnd; i += LANES) {
            long at = base + (long) i * Float.BYTES;
            gelu(FloatVector.fromMemorySegment(SPECIES, x, at, ORDER)).intoMemorySegment(out, at, ORDER);
        }
        for (; i < count; i++) {
            long at = base + (long) i * Float.BYTES;
            out.set(F, at, gelu(x.get(F, at)));
        }
    }

    /**
     * {@code 0.5·v·(1 + tanh(√(2/π)·(v + 0.044715·v³)))} with the reference's operations in the
     * reference's order: the outputs differ only where tanh does, by at most one ulp of tanh.
     */
    private static FloatVector gelu(FloatVector v) {
        FloatVector inner = v.mul(v).mul(v).mul(GELU_CUBE).add(v).mul(GELU_SCALE);
        return v.mul(0.5f).mul(VectorFunctions.tanh(inner).add(1f));
    }

    /** {@link #gelu(FloatVector)} for one float, with {@link VectorFunctions#tanh(float)}: the same bits as a lane. */
    private static float gelu(float v) {
        float inner = (v * v * v * GELU_CUBE + v) * GELU_SCALE;
        return v * 0.5f * (VectorFunctions.tanh(inner) + 1f);
    }
}
