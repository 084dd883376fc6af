package dev.vecgpt.ops.simd;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels of {@link dev.vecgpt.core.ScalarKernels} with the Vector API on native segments.
 * Arguments are validated by {@link dev.vecgpt.core.CheckedKernels} before they get here; every
 * access is still bounds-checked by the FFM API, so a bad call cannot touch memory it does not own.
 */
public final class SimdKernels implements Kernels {

    /**
     * The preferred species, or {@code -Dvecgpt.vectorBits=128|256|512} to measure or test another
     * width (the tests run at all three). A static final field, so C2 sees a constant species and
     * intrinsifies every operation.
     */
    static final VectorSpecies<Float> SPECIES = chooseSpecies();

    private static final int LANES = SPECIES.length();
    private static final long VECTOR_BYTES = SPECIES.vectorByteSize();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = Tensor.FLOAT;

    private static VectorSpecies<Float> chooseSpecies() {
        String bits = System.getProperty("vecgpt.vectorBits");
        if (bits == null) {
            return FloatVector.SPECIES_PREFERRED;
        }
        VectorSpecies<Float> chosen = switch (bits.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("-Dvecgpt.vectorBits=" + bits + ": use 128, 256 or 512");
        };
        // Wider than the machine's vectors is not intrinsified: every operation would be a slow call.
        int max = FloatVector.SPECIES_MAX.vectorBitSize();
        if (chosen.vectorBitSize() > max) {
            throw new IllegalArgumentException("-Dvecgpt.vectorBits=" + bits + ": this machine's float vectors have at most "
                    + max + " bits; use " + (max >= 256 ? "128 or 256" : "128") + ", or leave it unset");
        }
        return chosen;
    }

    private final WorkerPool pool;

    /** With {@code -Dvecgpt.threads=N}, or all available processors. */
    public SimdKernels() {
        this(Integer.getInteger("vecgpt.threads", Runtime.getRuntime().availableProcessors()));
    }

    public SimdKernels(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + ", must be >= 1");
        }
        this.pool = new WorkerPool(threads);
    }

    @Override
    public String name() {
        return "simd";
    }

    @Override
    public int threads() {
        return pool.threads();
    }

    /**
     * New kernels with a pool of their own, of {@code threads} threads (even when this one has as
     * many: closing them must not stop this pool); keep them, do not make them per call, and close them.
     */
    @Override
    public Kernels withThreads(int threads) {
        return new SimdKernels(threads);
    }

    /** Stops this pool's worker threads and waits for them to end. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public void gather(Tensor table, int[] ids, Tensor out) {
        long rowBytes = (long) table.shape().dim(-1) * Float.BYTES;
        long vectorEnd = rowBytes - rowBytes % VECTOR_BYTES;
        MemorySegment src = table.segment();
        MemorySegment dst = out.segment();
        for (int i = 0; i < ids.length; i++) {
            long from = ids[i] * rowBytes;
            long to = i * rowBytes;
            long b = 0;
            for (; b < vectorEnd; b += VECTOR_BYTES) {
                FloatVector.fromMemorySegment(SPECIES, src, from + b, ORDER).intoMemorySegment(dst, to + b, ORDER);
            }
            for (; b < rowBytes; b += Float.BYTES) {
                dst.set(F, to + b, src.get(F, from + b));
            }
        }
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        Elementwise.add(a, b, out, pool);
    }

    /**
     * Multiplies by W as it is, copying one panel at a time into a per-thread scratch panel (no
     * native memory per call; the same bits as the packed kernel). Multiplying by a weight from
     * {@link #pack} saves the copy: use it for weights used more than once.
     */
    @Override
    public void matmul(Tensor x, Tensor w, Tensor y) {
        DirectMatmul.multiply(x, w, y, pool);
    }

    @Override
    public PackedWeight pack(Tensor w, WeightFormat format, Arena arena) {
        return Panels.pack(w, format, arena);
    }

    @Override
    public void repack(Tensor w, PackedWeight packed) {
        ((Panels) packed).fill(w);
    }

    @Override
    public void matmul(Tensor x, PackedWeight w, Tensor y) {
        PanelMatmul.multiply(x, (Panels) w, y, pool);
    }

    @Override
    public void layerNorm(Tensor x, Tensor scale, Tensor shift, float eps, Tensor out) {
        Norms.layerNorm(x, scale, shift, eps, out, pool);
    }

    @Override
    public void gelu(Tensor x, Tensor out) {
        Activations.gelu(x, out, pool);
    }

    @Override
    public void attentionScores(Tensor q, Tensor k, int heads, Tensor scores) {
        Attention.scores(q, k, heads, scores, pool);
    }

    @Override
    public void softmax(Tensor x, Tensor out) {
        Norms.softmax(x, out, pool);
    }

    @Override
    public void attentionValues(Tensor weights, Tensor v, int heads, Tensor out) {
        Attention.values(weights, v, heads, out, pool);
    }

    @Override
    public void attention(Tensor q, Tensor kT, Tensor v, int keys, int heads, Tensor out) {
        FusedAttention.attend(q, kT, v, keys, heads, out, pool);
    }

    @Override
    public void transposeInto(Tensor x, Tensor xT, int at) {
        Transpose.into(x, xT, at, pool);
    }

    @Override
    public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
        Gradients.embedding(dOut, ids, dTable);
    }

    @Override
    public void matmulBackwardInput(Tensor dy, Tensor w, Tensor dx) {
        MatmulGradients.input(dy, w, dx, pool);
    }

    @Override
    public void matmulBackwardWeight(Tensor dy, Tensor x, Tensor dw) {
        MatmulGradients.weight(dy, x, dw, pool);
    }

    @Override
    public void biasBackward(Tensor dy, Tensor db) {
        Gradients.bias(dy, db);
    }

    @Override
    public void layerNormBackward(Tensor dOut, Tensor x, Tensor scale, float eps, Tensor dx, Tensor dScale,
                                  Tensor dShift) {
        Gradients.layerNorm(dOut, x, scale, eps, dx, dScale, dShift);
    }

    @Override
    public void geluBackward(Tensor dOut, Tensor x, Tensor dx) {
        Gradients.gelu(dOut, x, dx, pool);
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        Gradients.mul(a, b, out, pool);
    }

    @Override
    public void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor mask, int heads,
                                  Tensor dq, Tensor dk, Tensor dv) {
        AttentionGradients.backward(dOut, q, k, v, probs, mask, heads, dq, dk, dv, pool);
    }

    @Override
    public float crossEntropy(Tensor logits, int[] targets, Tensor dLogits) {
        return CrossEntropy.loss(logits, targets, dLogits, pool);
    }
}
