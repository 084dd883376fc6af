/**
 * GPT-2 as a library.
 *
 * <ul>
 *   <li>{@link dev.vecgpt.model.GptModel}: the weights, seeded as PyTorch seeds the book's model or
 *       loaded from a Hugging Face checkpoint, with {@link dev.vecgpt.model.ModelOptions} (weight format,
 *       kernels, threads). Immutable: one model serves any number of threads.</li>
 *   <li>{@link dev.vecgpt.model.GptSession}: one caller's KV cache and scratch memory; logits of a
 *       batch, and generation that streams each token as it is chosen.</li>
 *   <li>{@link dev.vecgpt.model.Generation}, {@link dev.vecgpt.model.Sampling} and
 *       {@link dev.vecgpt.model.Sampler}: how many tokens, how each is chosen (greedy, temperature,
 *       top-k, top-p, seeded as {@code torch.manual_seed}), and when to stop.</li>
 *   <li>{@link dev.vecgpt.model.Tokenizer}: GPT-2's byte-pair encoding, with streaming decoding.</li>
 * </ul>
 */
package dev.vecgpt.model;
