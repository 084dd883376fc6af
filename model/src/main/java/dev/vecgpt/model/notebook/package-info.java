/**
 * The design notebook's placeholder model, {@link dev.vecgpt.model.notebook.DummyGptModel}: embeddings,
 * dropout, identity blocks and norm, and the output head, with the very weights and dropout masks of
 * {@code torch.manual_seed(123); DummyGPTModel(GPT_CONFIG_124M)}. It exists to reproduce the notebook's
 * printed logits; the library's model is {@link dev.vecgpt.model.GptModel}.
 */
package dev.vecgpt.model.notebook;
