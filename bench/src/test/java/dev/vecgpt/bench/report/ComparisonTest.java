package dev.vecgpt.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonTest {

    @TempDir
    Path dir;

    @Test
    void rowsFollowTheKernelOrderWithEveryImplementationOfACase() throws IOException {
        List<Comparison.Row> rows = Sample.comparison(dir).rows();
        assertEquals(List.of("gather", "matmul", "forward"), rows.stream().map(Comparison.Row::kernel).toList());
        assertEquals(List.of("scalar", "simd 1t", "openblas 1t", "openblas 2t"),
                List.copyOf(rows.get(1).bySeries().keySet()));
        assertEquals(List.of("scalar", "simd 1t", "openblas 1t", "openblas 2t"), Sample.comparison(dir).series());
    }

    @Test
    void ratiosAreOfThroughputsFromTheSameRun() throws IOException {
        List<Comparison.Row> rows = Sample.comparison(dir).rows();
        assertEquals(10, rows.get(0).ratio("simd 1t", "scalar").orElseThrow(), 1e-9);
        assertEquals(40, rows.get(1).ratio("simd 1t", "scalar").orElseThrow(), 1e-9);
        assertEquals(5, rows.get(1).ratio("simd 1t", "openblas 1t").orElseThrow(), 1e-9);
        assertEquals(2.5, rows.get(1).ratio("simd 1t", "openblas 2t").orElseThrow(), 1e-9);
        assertTrue(rows.get(2).ratio("simd 1t", "scalar").isEmpty()); // no scalar forward in the sample
    }

    @Test
    void rooflineIsTheLongerOfBytesOverBandwidthAndFlopOverPeak() throws IOException {
        Comparison c = Sample.comparison(dir);
        Figure simd = c.rows().get(1).bySeries().get("simd 1t");
        double bytes = (8.0 * 768 + 50257.0 * 768 + 8.0 * 50257) * 4;
        double best = Math.max(bytes / 20e9, 2.0 * 8 * 50257 * 768 / 100e9); // W streaming bounds M = 8
        assertEquals(best / simd.seconds(), c.ofRoofline(simd).orElseThrow(), 1e-9);
        // OpenBLAS on 2 threads: the sample has no 2-thread baselines, so no roofline.
        assertTrue(c.ofRoofline(c.rows().get(1).bySeries().get("openblas 2t")).isEmpty());
        assertTrue(c.ofRoofline(c.rows().get(2).bySeries().get("simd 1t")).isEmpty()); // forward
    }

    @Test
    void aCaseMeasuredTwiceForOneSeriesKeepsTheFirstFigure() throws IOException {
        List<Figure> figures = Sample.results(dir).stream().map(Figure::of).toList();
        List<Figure> twice = new ArrayList<>(figures);
        twice.add(figures.get(3)); // simd matmul again
        Comparison c = new Comparison(twice);
        assertEquals(List.of(figures.get(3)), c.duplicates());
        assertEquals(figures.get(3), c.rows().get(1).bySeries().get("simd 1t"));
        assertTrue(Sample.comparison(dir).duplicates().isEmpty());
    }

    @Test
    void baselinesAreTheFiguresOfNoComparedKernel() throws IOException {
        assertEquals(List.of("dramRead", "fmaPeak", "normal"),
                Sample.comparison(dir).baselines().stream().map(Figure::kernel).toList());
    }
}
