/**
 * JMH benchmarks and their report tool. They run from the shaded bench/target/benchmarks.jar on the class
 * path; as a module it is open (JMH reflects over the benchmark classes) and exports nothing, since no code
 * is compiled against it.
 */
open module dev.vecgpt.bench {
    requires dev.vecgpt.core;
    requires dev.vecgpt.model;
    requires jdk.incubator.vector;
    requires jmh.core;
    requires org.bytedeco.javacpp;
    requires org.bytedeco.openblas;
    requires com.microsoft.onnxruntime;
    requires jdk.management;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;
}
