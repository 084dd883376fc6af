/**
 * Tensors and the kernels that compute on them.
 *
 * <ul>
 *   <li>{@link dev.vecgpt.core.Tensor} and {@link dev.vecgpt.core.Shape}: a shape over a 64-byte aligned
 *       native {@code MemorySegment} of the caller's {@code Arena}, with views that share memory.</li>
 *   <li>{@link dev.vecgpt.core.Kernels}: the compute kernels of GPT-2 (gather, add, matmul with weights
 *       {@link dev.vecgpt.core.PackedWeight packed} once in a {@link dev.vecgpt.core.WeightFormat}, layer
 *       norm, GELU, attention), found by {@link dev.vecgpt.core.KernelProvider}: the Vector API kernels
 *       of {@code vecgpt-ops-simd} when they load and are fast here, else the scalar reference. Every
 *       call's arguments are checked before any output is written.</li>
 *   <li>{@link dev.vecgpt.core.KernelsFactory}: the service interface other kernel implementations
 *       provide.</li>
 *   <li>{@link dev.vecgpt.core.GptConfig}: GPT-2's hyper-parameters, with the book's and OpenAI's sizes.</li>
 * </ul>
 */
package dev.vecgpt.core;
