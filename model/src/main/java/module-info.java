/** The GPT-2 pipeline: tokenizer, models and the command line. No SIMD here: kernels come from dev.vecgpt.core. */
module dev.vecgpt.model {
    requires dev.vecgpt.core;
    requires jtokkit;
    requires info.picocli;

    exports dev.vecgpt.model;
    exports dev.vecgpt.model.cli;
    // picocli sets the commands' annotated fields by reflection.
    opens dev.vecgpt.model.cli to info.picocli;
}
