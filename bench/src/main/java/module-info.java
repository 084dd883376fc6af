/** JMH benchmarks; run from the shaded bench/target/benchmarks.jar on the class path. */
open module dev.vecgpt.bench {
    requires dev.vecgpt.core;
    requires dev.vecgpt.model;
    requires jmh.core;

    exports dev.vecgpt.bench;
}
