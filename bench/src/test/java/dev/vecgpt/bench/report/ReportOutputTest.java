package dev.vecgpt.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Markdown, the SVG and the tool's command line, on the sample. */
class ReportOutputTest {

    @TempDir
    Path dir;

    @Test
    void markdownHasTheRunHeaderTheRatiosAndEveryResult() throws IOException {
        String md = MarkdownReport.render(Sample.comparison(dir), "`results.json`", "Test CPU, 2 logical CPUs",
                "chart.svg");
        assertTrue(md.contains("| CPU | Test CPU, 2 logical CPUs |"), md);
        assertTrue(md.contains("| JDK | 25.0.3, OpenJDK 64-Bit Server VM 25.0.3+9-LTS (`/usr/lib/jvm/temurin-25-jdk-amd64/bin/java`) |"), md);
        assertTrue(md.contains("| JMH | 1.37, JVM args `--add-modules=jdk.incubator.vector "
                + "--enable-native-access=ALL-UNNAMED` |"), md);
        assertTrue(md.contains("| MatmulBenchmark | avgt: 3 forks, 5 × 1 s warmup + 5 × 1 s measurement |"), md);
        assertTrue(md.contains("| ScalarMatmulBenchmark | single shot: 1 fork × (1 warmup + 3 measured) calls |"),
                md);
        assertTrue(md.contains("| simd 1t ÷ scalar | simd 1t ÷ openblas 1t |"), md);
        assertTrue(md.contains("| matmul | 8x50257x768 | GFLOP/s | 2.50 | 100 | 20.0 | 40.0 | 40.0× | 5.00× |"),
                md);
        assertTrue(md.contains("| gather | 8 tokens | GB/s | 10.0 | 100 |  |  | 10.0× |  |"), md);
        assertTrue(md.contains("| forward | 2x4 | tokens/s |  | 100 |  |  |  |  |"), md);
        assertTrue(md.contains("| DRAM read (SIMD sum over 1 GiB) | 1 | 20.0 GB/s |"), md);
        assertTrue(md.contains("| MatmulBenchmark.matmul | 8x50257x768 | simd 1t | 1 | 6.18 ± 0.100 ms | 100 GFLOP/s | 126% |"),
                md);
        assertTrue(md.contains("| ForwardBenchmark.forward | 2x4 | simd 1t | 1 | 80.0 ms | 100 tokens/s |  |"), md);
        assertTrue(md.contains("![Throughput per kernel: scalar vs simd vs OpenBLAS](chart.svg)"), md);
    }

    @Test
    void svgIsWellFormedWithOneBarPerComparedFigure() throws IOException {
        String svg = SvgChart.render(Sample.comparison(dir), "sample <&> title");
        assertBalanced(svg);
        // 2 gather + 4 matmul + 1 forward bars carry a tooltip; legend and background rects do not.
        assertEquals(7, Pattern.compile("<title>").matcher(svg).results().count());
        assertTrue(svg.contains("sample &lt;&amp;&gt; title"));
        assertTrue(svg.contains(">matmul (GFLOP/s, higher is better)<"));
        assertTrue(svg.contains(">75</text>"), "axis ticks at quarters of 100, without trailing zeros");
    }

    /** Every tag closed in order, and every {@code &} an entity: enough of XML for what SvgChart writes. */
    private static void assertBalanced(String xml) {
        Deque<String> open = new ArrayDeque<>();
        Matcher tag = Pattern.compile("<(/?)([a-zA-Z]+)[^>]*?(/?)>").matcher(xml);
        while (tag.find()) {
            if (!tag.group(1).isEmpty()) {
                assertEquals(open.pop(), tag.group(2), "closing tag at " + tag.start());
            } else if (tag.group(3).isEmpty()) {
                open.push(tag.group(2));
            }
        }
        assertTrue(open.isEmpty(), "unclosed " + open);
        assertTrue(Pattern.compile("&(?!(amp|lt|gt|quot);)").matcher(xml).results().findAny().isEmpty());
    }

    @Test
    void niceCeilingRoundsUpToOneTwoTwoAndAHalfOrFive() {
        assertEquals(100, SvgChart.niceCeiling(97.2), 1e-9);
        assertEquals(50, SvgChart.niceCeiling(40), 1e-9);
        assertEquals(2.5, SvgChart.niceCeiling(2.2), 1e-9);
        assertEquals(20, SvgChart.niceCeiling(20), 1e-9);
    }

    @Test
    void commandLineFillsTheReadmeBetweenItsMarkersAndWritesTheChart() throws IOException {
        Path results = Sample.copyTo(dir);
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# Bench\nMarkers `" + BenchReport.BEGIN + "` and `" + BenchReport.END + "` in prose.\n"
                + "\n## Latest full run\n" + BenchReport.BEGIN + "\nold table\n" + BenchReport.END + "\n\n## After\nkept\n");
        Path chart = dir.resolve("img").resolve("chart.svg");
        Files.createDirectories(chart.getParent());
        BenchReport.main(new String[] {results.toString(), readme.toString(), chart.toString()});
        String md = Files.readString(readme);
        assertTrue(md.startsWith("# Bench\nMarkers `" + BenchReport.BEGIN + "` and `" + BenchReport.END + "` in prose.\n"
                + "\n## Latest full run\n" + BenchReport.BEGIN + "\n| Run | |"), md);
        assertTrue(md.endsWith(BenchReport.END + "\n\n## After\nkept\n"), md);
        assertTrue(!md.contains("old table"), md);
        assertTrue(md.contains("](img/chart.svg)"), md);
        assertTrue(Files.readString(chart).startsWith("<svg"));
    }

    @Test
    void withoutMarkersTheReportIsTheWholeFile() {
        assertEquals("table\n", BenchReport.splice("no markers here", "table\n"));
        assertEquals("table\n", BenchReport.splice(null, "table\n"));
    }
}
