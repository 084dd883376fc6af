/**
 * GPT-2 on vecgpt's kernels: the library's {@link dev.vecgpt.model.GptModel} (immutable weights, shared by
 * threads) and {@link dev.vecgpt.model.GptSession} (one caller's KV cache and scratch), sampling, the
 * tokenizer, the design notebook's placeholder model and the command line (not exported). No SIMD here: kernels come from dev.vecgpt.core.
 */
module dev.vecgpt.model {
    // Transitive because the API takes and returns core's types: dev.vecgpt.core's GptConfig (the GptModel
    // and DummyGptModel constructors, config(), GptSession.bytes), Tensor (GptSession.forward,
    // GptModel.parameter, DummyGptModel's passes), Kernels and WeightFormat (ModelOptions, GptModel.kernels()
    // and format()), and dev.vecgpt.core.random's Dropout.Mode (GptSession.dropoutMode and
    // DummyGptModel.dropoutMode). No public method takes or returns a type of dev.vecgpt.core.io; a module
    // is read whole, so that package comes along as core's own API (safetensors and .npy), not the model's.
    requires transitive dev.vecgpt.core;
    requires com.fasterxml.jackson.core;
    requires jtokkit;
    requires info.picocli;
    // vecgpt serve: the JDK's HTTP server, and sun.misc.Signal to stop cleanly (exit 0) on SIGTERM.
    requires jdk.httpserver;
    requires jdk.unsupported;

    exports dev.vecgpt.model;
    exports dev.vecgpt.model.notebook;
    exports dev.vecgpt.model.train;
    // picocli sets the commands' annotated fields by reflection; the command line is not exported.
    opens dev.vecgpt.model.cli to info.picocli;
}
