package dev.vecgpt.bench.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Markdown section for {@code bench/README.md}: the machine and settings, a comparison table with the
 * SIMD ÷ scalar and ours ÷ OpenBLAS ratios, the machine baselines, and every result with its error.
 */
final class MarkdownReport {

    private MarkdownReport() {}

    /**
     * @param source  what the figures came from, e.g. the results file's name and date
     * @param cpu     from {@link MachineInfo#cpu}
     * @param chart   the chart's path relative to the Markdown file, or null for none
     */
    static String render(Comparison c, String source, String cpu, String chart) {
        StringBuilder md = new StringBuilder();
        header(md, c, source, cpu);
        comparison(md, c);
        if (chart != null) {
            md.append("\n![Throughput per kernel: scalar vs simd vs OpenBLAS](").append(chart).append(")\n");
        }
        baselines(md, c);
        all(md, c);
        return md.toString();
    }

    private static void header(StringBuilder md, Comparison c, String source, String cpu) {
        JmhResult any = c.figures().getFirst().result();
        md.append("| Run | |\n|---|---|\n");
        md.append("| Results | ").append(source).append(" |\n");
        md.append("| CPU | ").append(cpu).append(" |\n");
        md.append("| JDK | ").append(any.jdkVersion()).append(", ").append(any.vmName()).append(' ')
                .append(any.vmVersion()).append(" (`").append(any.jvm()).append("`) |\n");
        md.append("| JMH | ").append(any.jmhVersion()).append(", JVM args `")
                .append(c.figures().stream().flatMap(f -> f.result().jvmArgs().stream()).distinct()
                        .collect(Collectors.joining(" ")))
                .append("` |\n");
        Map<String, String> settings = new LinkedHashMap<>();
        c.figures().forEach(f -> settings.putIfAbsent(f.result().className(), settings(f.result())));
        settings.forEach((cls, s) -> md.append("| ").append(cls).append(" | ").append(s).append(" |\n"));
    }

    private static String settings(JmhResult r) {
        String forks = r.forks() + (r.forks() == 1 ? " fork" : " forks");
        if (r.mode().equals("ss")) {
            return "single shot: " + forks + " × (" + r.warmupIterations() + " warmup + " + r.measurementIterations()
                    + " measured) calls";
        }
        return r.mode() + ": " + forks + ", " + r.warmupIterations() + " × " + r.warmupTime() + " warmup + "
                + r.measurementIterations() + " × " + r.measurementTime() + " measurement";
    }

    private static void comparison(StringBuilder md, Comparison c) {
        List<String> series = c.series();
        List<String[]> ratios = ratios(series);
        md.append("\n| Kernel | Case | Unit |");
        series.forEach(s -> md.append(' ').append(s).append(" |"));
        ratios.forEach(r -> md.append(' ').append(r[0]).append(" ÷ ").append(r[1]).append(" |"));
        md.append("\n|---|---|---|").append("---:|".repeat(series.size() + ratios.size())).append('\n');
        for (Comparison.Row row : c.rows()) {
            String unit = row.bySeries().values().iterator().next().unit();
            md.append("| ").append(row.kernel()).append(" | ").append(row.label()).append(" | ").append(unit).append(" |");
            for (String s : series) {
                Figure f = row.bySeries().get(s);
                md.append(' ').append(f == null ? "" : Format.number(f.throughput())).append(" |");
            }
            ratios.forEach(r -> md.append(' ').append(ratio(row.ratio(r[0], r[1]))).append(" |"));
            md.append('\n');
        }
        md.append("\nThroughput: GB/s of data read and written (gather, add), GFLOP/s = 2·M·N·K per second (matmul), "
                + "tokens per second (forward, prefill, decode). Ratios are of throughputs from this same run; "
                + "each series names its thread count (`simd 2t`, `openblas 2t` = 2 threads) and `bf16` marks "
                + "bfloat16 weights.\n");
    }

    /** The ratios shown: simd 1t ÷ scalar, and each simd series ÷ OpenBLAS and ÷ ONNX Runtime on as many threads. */
    private static List<String[]> ratios(List<String> series) {
        List<String[]> ratios = new java.util.ArrayList<>();
        if (series.contains("scalar") && series.contains("simd 1t")) {
            ratios.add(new String[] {"simd 1t", "scalar"});
        }
        for (String s : series) {
            String threads = s.substring(s.lastIndexOf(' ') + 1);
            if (s.startsWith("simd") && series.contains("openblas " + threads)) {
                ratios.add(new String[] {s, "openblas " + threads});
            }
            if (s.startsWith("simd") && series.contains("ort " + threads)) {
                ratios.add(new String[] {s, "ort " + threads});
            }
        }
        return ratios;
    }

    private static String ratio(Optional<Double> r) {
        return r.map(Format::ratio).orElse("");
    }

    private static void baselines(StringBuilder md, Comparison c) {
        if (c.baselines().isEmpty()) {
            return;
        }
        md.append("\n| Machine baseline | Threads | Throughput |\n|---|---:|---:|\n");
        for (Figure f : c.baselines()) {
            md.append("| ").append(baselineName(f.kernel())).append(" | ").append(f.threads()).append(" | ")
                    .append(Format.number(f.throughput())).append(' ').append(f.unit()).append(" |\n");
        }
    }

    private static String baselineName(String kernel) {
        return switch (kernel) {
            case "dramRead" -> "DRAM read (SIMD sum over 1 GiB)";
            case "fmaPeak" -> "FP32 FMA peak (SPECIES_PREFERRED, 12 chains)";
            case "normal" -> "TorchGenerator.normal_ [50257, 768]";
            case "uniform" -> "TorchGenerator.uniform_ [50257, 768]";
            default -> kernel;
        };
    }

    private static void all(StringBuilder md, Comparison c) {
        md.append("\n| Benchmark | Case | Series | Threads | Time per call | Throughput | Of roofline |\n")
                .append("|---|---|---|---:|---:|---:|---:|\n");
        for (Figure f : c.figures()) {
            md.append("| ").append(f.result().className()).append('.').append(f.kernel()).append(" | ")
                    .append(f.label()).append(" | ").append(f.series()).append(" | ").append(f.threads())
                    .append(" | ").append(Format.time(f.seconds(), f.errorSeconds())).append(" | ")
                    .append(Format.number(f.throughput())).append(' ').append(f.unit()).append(" | ")
                    .append(c.ofRoofline(f).map(Format::percent).orElse("")).append(" |\n");
        }
        md.append("\nErrors are JMH's 99.9% confidence half-intervals (none for a single iteration). Of roofline: the "
                + "time this run's own baselines allow at the same thread count (bytes ÷ DRAM read bandwidth, or "
                + "FLOP ÷ FMA peak, whichever is longer) as a fraction of the measured time; above 100% when the "
                + "data fit in cache.\n");
    }
}
