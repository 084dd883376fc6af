package dev.vecgpt.core;

import java.lang.foreign.Arena;

/**
 * The compute kernels of the GPT pipeline. Each writes its result into a caller-allocated output
 * tensor, so that hot paths allocate nothing.
 *
 * <p>Kernels may split a call over {@link #threads()} threads, but only when every tensor is in
 * memory other threads may touch: a tensor of a confined arena ({@code Arena.ofConfined()}) keeps the
 * call on the caller's thread, so use {@code Arena.ofShared()} for large work.
 *
 * <p>The scalar reference kernels ({@code KernelProvider.byName("scalar")}) define what every kernel
 * computes. Every {@code Kernels} a user gets from {@link KernelProvider} checks each call's arguments
 * once, before any output is written, whatever implementation sits behind it.
 *
 * <p>Kernels may own threads. Those made by {@link #withThreads(int)} or
 * {@link KernelProvider#byName(String)} own their worker pool: {@link #close()} stops it (use
 * try-with-resources or close them when done). The JVM-wide {@link KernelProvider#kernels()} are
 * shared and live as long as the JVM: closing them does nothing.
 */
public interface Kernels extends AutoCloseable {

    /** A short name for logs and benchmarks, e.g. {@code "scalar"} or {@code "simd"}. */
    String name();

    /** How many threads a kernel call may use (the caller's one included). */
    default int threads() {
        return 1;
    }

    /**
     * Kernels like these on {@code threads} threads (1 = the caller's only), owning their threads:
     * close them when done. Results do not depend on the thread count. Implementations that own no
     * threads may return themselves.
     */
    default Kernels withThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + ", must be >= 1");
        }
        return this;
    }

    /**
     * Stops any threads these kernels own; afterwards they must not be used. Does nothing for
     * kernels that own none and for the JVM-wide shared kernels. Closing twice is allowed.
     */
    @Override
    default void close() {}

    /**
     * Embedding lookup: {@code out[i, :] = table[ids[i], :]} for a table {@code [V, D]} and an
     * output {@code [N, D]} (or any shape {@code [..., D]} with N rows in all). Bit-exact copy.
     */
    void gather(Tensor table, int[] ids, Tensor out);

    /**
     * Element-wise {@code out = a + b}. {@code b}'s shape is either {@code a}'s or a suffix of it
     * (e.g. {@code [T, D]} over {@code [B, T, D]}), in which case {@code b} is repeated over the
     * leading dimensions. {@code out} has {@code a}'s shape and may be {@code a} itself.
     * Each element is one float32 addition, so every implementation is bit-exact.
     */
    void add(Tensor a, Tensor b, Tensor out);

    /**
     * {@code y = x · wᵀ} for {@code x [M, K]}, {@code w [N, K]} (row-major {@code [out, in]}, as
     * PyTorch's {@code nn.Linear.weight}) and {@code y [M, N]}; {@code x} and {@code y} may have
     * extra leading dimensions, flattened into M. Sums are float32; the order of summation is the
     * implementation's, so results agree with {@code ScalarKernels} within float rounding.
     */
    void matmul(Tensor x, Tensor w, Tensor y);

    /**
     * Prepares {@code w [N, K]} for {@link #matmul(Tensor, PackedWeight, Tensor)}, stored as
     * {@code format}, in memory from {@code arena}: a copy, so {@code w} may be freed afterwards. With {@link WeightFormat#BF16} every weight is rounded
     * to bfloat16 first, with {@link WeightFormat#Q8_0} quantized to int8 per block of 32: the
     * product is that of the rounded (dequantized) weights, which {@link PackedWeight#unpack} gives.
     */
    PackedWeight pack(Tensor w, WeightFormat format, Arena arena);

    /**
     * Packs {@code w} again into {@code packed}, a weight these kernels packed from a tensor of
     * {@code w}'s shape, in its format and memory: for weights that changed (training), so nothing is
     * allocated. Afterwards {@code packed} multiplies as {@code pack(w, packed.format(), arena)} would.
     * Not while another thread multiplies by {@code packed}.
     */
    void repack(Tensor w, PackedWeight packed);

    /** {@link #pack(Tensor, WeightFormat, Arena)} in float32. */
    default PackedWeight pack(Tensor w, Arena arena) {
        return pack(w, WeightFormat.F32, arena);
    }

    /**
     * {@code y = x · Wᵀ} with a weight from {@link #pack}; the same results as
     * {@link #matmul(Tensor, Tensor, Tensor)} on the unpacked weight, bit for bit.
     */
    void matmul(Tensor x, PackedWeight w, Tensor y);

    /**
     * Layer normalization over the last dimension, as PyTorch's {@code LayerNorm}: per row,
     * {@code out = (x − mean) / sqrt(var + eps) · scale + shift} with the biased variance.
     * {@code x} and {@code out} are {@code [.., D]}, {@code scale} and {@code shift} {@code [D]};
     * {@code out} may be {@code x}.
     */
    void layerNorm(Tensor x, Tensor scale, Tensor shift, float eps, Tensor out);

    /**
     * GELU, tanh approximation, element-wise:
     * {@code out = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}; {@code out} may be {@code x}.
     */
    void gelu(Tensor x, Tensor out);

    /**
     * Causal attention scores of {@code heads} heads: {@code q [B, T, D]} and {@code k [B, S, D]}
     * hold the heads side by side ({@code D = heads · d}); query t sits at position
     * {@code S − T + t} (the keys before it are cached ones). {@code scores [B, heads, T, S]} gets
     * {@code q_h[t] · k_h[s] / √d} where {@code s ≤ S − T + t}, and {@code −∞} where s is in the future.
     */
    void attentionScores(Tensor q, Tensor k, int heads, Tensor scores);

    /**
     * Softmax over the last dimension, numerically stable (the row's maximum is subtracted before
     * {@code exp}); {@code −∞} entries (masked positions) get weight 0. {@code out} may be {@code x}.
     */
    void softmax(Tensor x, Tensor out);

    /**
     * The weighted sum of values: {@code out [B, T, D]} gets, for each head h,
     * {@code Σ_s weights[b, h, t, s] · v_h[b, s]} for {@code weights [B, heads, T, S]} and
     * {@code v [B, S, D]}: the heads' contexts side by side, as PyTorch's concatenation.
     */
    void attentionValues(Tensor weights, Tensor v, int heads, Tensor out);

    /**
     * Causal attention in one call, as inference runs it: {@link #attentionScores}, {@link #softmax}
     * and {@link #attentionValues} in turn over the first {@code keys} positions, for the T queries
     * of {@code q [B, T, D]} at the last T of those positions; the heads' contexts go to
     * {@code out [B, T, D]}. The keys come transposed, {@code kT [B, D, S ≥ keys]} (as
     * {@link #transposeInto} writes them: a query's scores are then a vector times a matrix whose
     * rows run along the keys), the values as they are, {@code v [B, S ≥ keys, D]}. Both may hold
     * more positions than are attended (a KV cache's whole buffers), so a decode step needs no views
     * and no scores tensor. The reference runs the three kernels on copies; fast kernels attend in
     * place and skip the masked positions, which adds only zeros: the same bits as their own three
     * kernels for finite inputs.
     */
    void attention(Tensor q, Tensor kT, Tensor v, int keys, int heads, Tensor out);

    /**
     * Writes the rows of {@code x [B, T, D]} as the columns {@code [at, at + T)} of
     * {@code xT [B, D, S]}: {@code xT[b, i, at + t] = x[b, t, i]}. How keys go into a KV cache, or
     * into a buffer of their own, for {@link #attention}.
     */
    void transposeInto(Tensor x, Tensor xT, int at);

    // The backward kernels: the gradients of the forward kernels above, for training. A gradient of a
    // parameter is accumulated ("+="), as PyTorch's .grad is; a gradient of an activation is written ("="),
    // unless its kernel says otherwise. Sums over rows (a parameter's gradient) run in an order that does
    // not depend on the thread count, so the bits do not either.

    /**
     * The gradient of {@link #gather}: {@code dTable[ids[i], :] += dOut[i, :]} for every i in order
     * (a repeated id gets the sum of its rows), for {@code dOut [N, D]} (or {@code [..., D]}) and
     * {@code dTable [V, D]}.
     */
    void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable);

    /**
     * The input's gradient of {@code y = x · wᵀ}: {@code dx = dy · w} for {@code dy [M, N]},
     * {@code w [N, K]} and {@code dx [M, K]} (leading dimensions flattened into M, as {@link #matmul}).
     * Sums are float32 over n in order; implementations may fuse multiply and add.
     */
    void matmulBackwardInput(Tensor dy, Tensor w, Tensor dx);

    /**
     * The weight's gradient of {@code y = x · wᵀ}: {@code dw += dyᵀ · x}, i.e.
     * {@code dw[n, k] += Σ_m dy[m, n] · x[m, k]}, the sum over m in order from zero in float32 and then
     * added to {@code dw}, for {@code dy [M, N]}, {@code x [M, K]} and {@code dw [N, K]}.
     */
    void matmulBackwardWeight(Tensor dy, Tensor x, Tensor dw);

    /**
     * The bias's gradient of {@code y = x · wᵀ + b}: {@code db[n] += dy[m, n]} for every row m in order,
     * for {@code dy [M, N]} (leading dimensions flattened into M) and {@code db [N]}.
     */
    void biasBackward(Tensor dy, Tensor db);

    /**
     * The gradient of {@link #layerNorm} (biased variance, {@code eps}), from the input {@code x}
     * (the mean and variance are recomputed from it): with {@code x̂ = (x − mean)/√(var + eps)} and
     * {@code g = dOut · scale}, per row {@code dx += (g − mean(g) − x̂ · mean(g · x̂)) / √(var + eps)},
     * and row by row in order {@code dScale += dOut · x̂}, {@code dShift += dOut}. All three are
     * accumulated: {@code dx} is a residual stream's gradient, which has another part already.
     */
    void layerNormBackward(Tensor dOut, Tensor x, Tensor scale, float eps, Tensor dx, Tensor dScale, Tensor dShift);

    /**
     * The gradient of {@link #gelu} (tanh approximation) at its input {@code x}:
     * {@code dx = dOut · (0.5·(1 + tanh u) + 0.5·x·(1 − tanh² u)·√(2/π)·(1 + 3·0.044715·x²))} with
     * {@code u = √(2/π)·(x + 0.044715·x³)}; {@code dx} may be {@code dOut}.
     */
    void geluBackward(Tensor dOut, Tensor x, Tensor dx);

    /**
     * Element-wise {@code out = a · b} for tensors of one shape; {@code out} may be {@code a}. With
     * {@code b} a dropout mask of factors (0 or {@code 1/(1−p)}, as {@code Dropout} draws them) this is
     * dropout's forward and its backward alike. One float32 product each: bit-exact everywhere.
     */
    void mul(Tensor a, Tensor b, Tensor out);

    /**
     * The gradient of causal attention as training runs it: {@code probs = softmax(q·kᵀ/√d)} over the
     * unmasked keys ({@code probs [B, heads, T, T]}, 0 at future positions), dropped out by the factors
     * {@code mask} (same shape; all ones without dropout), times {@code v}. From the gradient of the
     * heads' contexts {@code dOut [B, T, D]} it writes {@code dq}, {@code dk} and {@code dv} ({@code [B, T, D]}):
     * through the values ({@code dv = (probs·mask)ᵀ · dOut}), the dropout, the softmax
     * ({@code ds = probs · (dp − Σ probs·dp)}, zero at masked positions) and the scale
     * ({@code dq = ds · k/√d}, {@code dk = dsᵀ · q/√d}). Sums over the queries run in order.
     */
    void attentionBackward(Tensor dOut, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor mask, int heads,
                           Tensor dq, Tensor dk, Tensor dv);

    /** The target PyTorch's cross-entropy leaves out of the loss and its mean ({@code ignore_index}). */
    int IGNORE_INDEX = -100;

    /**
     * Cross-entropy of the rows of {@code logits [N, V]} (or {@code [..., V]}) against {@code targets}
     * (N of them, each in [0, V) or {@link #IGNORE_INDEX}), as {@code F.cross_entropy}: the mean over
     * the targets not ignored of {@code −log softmax(row)[target]} (each row's log-sum-exp and the mean
     * in double; NaN when every target is ignored, as PyTorch). With {@code dLogits} not null (it may be
     * {@code logits} itself) it also writes the loss's gradient, {@code (softmax(row) − onehot(target)) / count},
     * and zeros for ignored rows.
     */
    float crossEntropy(Tensor logits, int[] targets, Tensor dLogits);
}
