package dev.vecgpt.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The CPU, from {@code /proc/cpuinfo} of the machine running the report (JMH's JSON does not record it). */
final class MachineInfo {

    private MachineInfo() {}

    /** E.g. {@code "AMD EPYC (family 25, model 17), 2 logical CPUs"}, or "unknown" off Linux. */
    static String cpu(Path cpuinfo) {
        try {
            List<String> lines = Files.readAllLines(cpuinfo);
            long cpus = lines.stream().filter(l -> l.startsWith("processor")).count();
            String model = field(lines, "model name");
            String family = field(lines, "cpu family");
            String number = field(lines, "model");
            return model + (family.isEmpty() ? "" : " (family " + family + ", model " + number + ")") + ", "
                    + cpus + " logical CPUs";
        } catch (IOException | RuntimeException e) {
            return "unknown (" + cpuinfo + " not readable)";
        }
    }

    private static String field(List<String> lines, String name) {
        return lines.stream()
                .filter(l -> l.startsWith(name) && l.substring(name.length()).trim().startsWith(":"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("");
    }
}
