package dev.vecgpt.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of JMH's JSON results ({@code -rf json}): the fields the report uses, nothing else.
 *
 * @param benchmark fully qualified, e.g. {@code dev.vecgpt.bench.MatmulBenchmark.matmul}
 * @param mode      {@code avgt}, {@code ss}, {@code thrpt} or {@code sample}
 * @param score     in {@code unit}, e.g. {@code ms/op}; {@code error} is NaN when there was one iteration
 */
public record JmhResult(String benchmark, String mode, Map<String, String> params, double score, double error,
        String unit, int forks, int warmupIterations, String warmupTime, int measurementIterations,
        String measurementTime, String jmhVersion, String jvm, String jdkVersion, String vmName, String vmVersion,
        List<String> jvmArgs) {

    public static List<JmhResult> read(Path json) throws IOException {
        List<JmhResult> results = new ArrayList<>();
        for (JsonNode n : new ObjectMapper().readTree(json.toFile())) {
            Map<String, String> params = new LinkedHashMap<>();
            n.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            List<String> jvmArgs = new ArrayList<>();
            n.path("jvmArgs").forEach(a -> jvmArgs.add(a.asText()));
            JsonNode metric = n.path("primaryMetric");
            results.add(new JmhResult(n.path("benchmark").asText(), n.path("mode").asText(), params,
                    number(metric.path("score")), number(metric.path("scoreError")), metric.path("scoreUnit").asText(),
                    n.path("forks").asInt(), n.path("warmupIterations").asInt(), n.path("warmupTime").asText(),
                    n.path("measurementIterations").asInt(), n.path("measurementTime").asText(),
                    n.path("jmhVersion").asText(), n.path("jvm").asText(), n.path("jdkVersion").asText(),
                    n.path("vmName").asText(),
                    n.path("vmVersion").asText(), jvmArgs));
        }
        return results;
    }

    /** JMH writes a missing error as the string "NaN". */
    private static double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : Double.parseDouble(node.asText("NaN"));
    }

    /** The benchmark class's simple name, e.g. {@code MatmulBenchmark}. */
    public String className() {
        String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2];
    }

    /** The benchmark method, e.g. {@code matmul}. */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** Seconds per operation, whatever the mode's unit ({@code ms/op}, or {@code ops/s} for throughput). */
    public double secondsPerOp() {
        return toSeconds(score);
    }

    /** The score's error, in seconds per operation (an approximation for throughput modes). */
    public double errorSeconds() {
        if (unit.startsWith("ops/")) {
            return Math.abs(toSeconds(score - error) - toSeconds(score));
        }
        return toSeconds(error);
    }

    private double toSeconds(double value) {
        String[] u = unit.split("/");
        if (u[0].equals("ops")) {
            return seconds(u[1]) / value;
        }
        return value * seconds(u[0]);
    }

    private static double seconds(String unit) {
        return switch (unit) {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            default -> throw new IllegalArgumentException("unknown JMH time unit " + unit);
        };
    }
}
