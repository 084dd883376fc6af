/** The GPT-2 pipeline: tokenizer, models and the demo. No SIMD here: kernels come from dev.vecgpt.core. */
module dev.vecgpt.model {
    requires dev.vecgpt.core;
    requires jtokkit;

    exports dev.vecgpt.model;
    exports dev.vecgpt.model.cli;
}
