package dev.vecgpt.core;

import java.lang.foreign.Arena;

/**
 * A weight matrix {@code W [N, K]} prepared by {@link Kernels#pack} for repeated
 * {@code y = x · Wᵀ}, in whatever layout that kernel implementation reads fastest. Weights are
 * static, so this is done once, when a model is built.
 */
public interface PackedWeight {

    /** The logical shape {@code [N, K]} of the weight, as it was before packing. */
    Shape shape();

    /** How the weights are stored. */
    WeightFormat format();

    /** The {@link Kernels#name()} of the kernels that packed it; only they can multiply by it. */
    String packedBy();

    /** A float32 copy of the weight as the kernels multiply by it ({@code [N, K]}: bfloat16 values widened, Q8_0 ones dequantized). */
    Tensor unpack(Arena arena);

    /** False once the arena holding the packed memory is closed. */
    boolean isAlive();
}
