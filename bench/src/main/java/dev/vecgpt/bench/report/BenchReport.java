package dev.vecgpt.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a JMH results file into the Markdown table and the SVG chart of {@code bench/README.md}:
 *
 * <pre>{@code java -cp bench/target/benchmarks.jar dev.vecgpt.bench.report.BenchReport \
 *     results.json bench/README.md bench/results.svg}</pre>
 *
 * If the Markdown file exists and holds the markers {@value #BEGIN} and {@value #END}, each on a line of its
 * own, only the text between them is replaced (so the README keeps its prose); otherwise the file is written whole. The chart is optional.
 */
public final class BenchReport {

    static final String BEGIN = "<!-- bench-report:begin -->";
    static final String END = "<!-- bench-report:end -->";

    private BenchReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: BenchReport RESULTS.json REPORT.md [CHART.svg]");
            System.exit(2);
        }
        Path results = Path.of(args[0]);
        Path markdown = Path.of(args[1]);
        Path chart = args.length == 3 ? Path.of(args[2]) : null;
        List<JmhResult> read = JmhResult.read(results);
        if (read.isEmpty()) {
            System.err.println(results + " holds no results");
            System.exit(1);
        }
        Comparison comparison = new Comparison(read.stream().map(Figure::of).toList());
        comparison.duplicates().forEach(f -> System.err.println("BenchReport: " + f.result().benchmark() + " "
                + f.result().params() + " repeats a case already compared; only the first is in the tables"));
        String source = "`" + results.getFileName() + "`, written "
                + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                        .format(Files.getLastModifiedTime(results).toInstant().atOffset(ZoneOffset.UTC));
        String link = null;
        if (chart != null) {
            Files.writeString(chart, SvgChart.render(comparison, "vecgpt kernels: " + results.getFileName()));
            Path dir = markdown.toAbsolutePath().getParent();
            link = dir.relativize(chart.toAbsolutePath()).toString().replace('\\', '/');
        }
        String table = MarkdownReport.render(comparison, source, MachineInfo.cpu(Path.of("/proc/cpuinfo")), link);
        Files.writeString(markdown, splice(Files.exists(markdown) ? Files.readString(markdown) : null, table));
        System.out.println("BenchReport: " + read.size() + " results -> " + markdown + (chart == null ? "" : ", " + chart));
    }

    /**
     * The new document: {@code table} between the markers of {@code existing}, or alone if there are none.
     * A marker counts only alone on its line, so prose that names the markers (as the README does) stays.
     */
    static String splice(String existing, String table) {
        if (existing == null) {
            return table;
        }
        Matcher begin = Pattern.compile("(?m)^" + Pattern.quote(BEGIN) + "$").matcher(existing);
        Matcher end = Pattern.compile("(?m)^" + Pattern.quote(END) + "$").matcher(existing);
        if (!begin.find() || !end.find(begin.end())) {
            return table;
        }
        return existing.substring(0, begin.end()) + "\n" + table + existing.substring(end.start());
    }
}
