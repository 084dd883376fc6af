/**
 * GPT-2 on vecgpt's kernels: the library's {@link dev.vecgpt.model.GptModel} (immutable weights, shared by
 * threads) and {@link dev.vecgpt.model.GptSession} (one caller's KV cache and scratch), sampling, the
 * tokenizer, the design notebook's placeholder model and the command line (not exported). No SIMD here: kernels come from dev.vecgpt.core.
 */
module dev.vecgpt.model {
    requires transitive dev.vecgpt.core;
    requires com.fasterxml.jackson.core;
    requires jtokkit;
    requires info.picocli;
    // vecgpt serve: the JDK's HTTP server, and sun.misc.Signal to stop cleanly (exit 0) on SIGTERM.
    requires jdk.httpserver;
    requires jdk.unsupported;

    exports dev.vecgpt.model;
    exports dev.vecgpt.model.notebook;
    // picocli sets the commands' annotated fields by reflection; the command line is not exported.
    opens dev.vecgpt.model.cli to info.picocli;
}
