/**
 * File formats: {@link dev.vecgpt.core.io.Safetensors} (Hugging Face's checkpoints, memory-mapped, with
 * checked headers; read as {@link dev.vecgpt.core.io.SafetensorsFile}, and written) and
 * {@link dev.vecgpt.core.io.Npy} (NumPy's {@code .npy}, to hand tensors to Python).
 */
package dev.vecgpt.core.io;
