package dev.vecgpt.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FigureTest {

    @TempDir
    Path dir;

    private List<Figure> figures() throws IOException {
        return Sample.results(dir).stream().map(Figure::of).toList();
    }

    @Test
    void gatherCountsEachRowReadAndWrittenInGigabytesPerSecond() throws IOException {
        Figure scalar = figures().get(0);
        assertEquals("8 tokens", scalar.label());
        assertEquals("scalar", scalar.implementation());
        assertEquals(2 * 8 * 768 * 4, scalar.bytes());
        assertEquals("GB/s", scalar.unit());
        assertEquals(10.0, scalar.throughput(), 1e-9);
        assertEquals(100.0, figures().get(1).throughput(), 1e-9);
    }

    @Test
    void matmulCountsTwoFlopPerMultiplyAdd() throws IOException {
        List<Figure> f = figures();
        assertEquals(2.0 * 8 * 50257 * 768, f.get(3).flop());
        assertEquals("GFLOP/s", f.get(3).unit());
        assertEquals(2.5, f.get(2).throughput(), 1e-9);
        assertEquals(100, f.get(3).throughput(), 1e-9);
        assertEquals(20, f.get(4).throughput(), 1e-9);
        assertEquals(40, f.get(5).throughput(), 1e-9);
    }

    private static JmhResult gpt(String method, String format, double msPerOp) {
        return new JmhResult("dev.vecgpt.bench.GptBenchmark." + method, "avgt",
                java.util.Map.of("format", format, "threads", "2"), msPerOp, 0.1, "ms/op", 3, 5, "1 s", 5, "1 s",
                "1.37", "java", "25", "vm", "25", List.of());
    }

    @Test
    void gptDecodeReadsEveryWeightOncePerTokenAndPrefillCountsMatmulFlop() {
        double weights = 12.0 * (4 * 768 * 768 + 2 * 768 * 3072) + 50257.0 * 768;
        Figure decode = Figure.of(gpt("decode", "F32", 20));
        assertEquals("1 token", decode.label());
        assertEquals("simd 2t", decode.series());
        assertEquals(50, decode.throughput(), 1e-9);               // 1 token per 20 ms
        assertEquals(weights * 4, decode.bytes(), 1);
        assertEquals(weights * 2, Figure.of(gpt("decode", "BF16", 10)).bytes(), 1);
        assertEquals("simd bf16 2t", Figure.of(gpt("decode", "BF16", 10)).series());
        Figure prefill = Figure.of(gpt("prefill", "F32", 1024));
        assertEquals(1000, prefill.throughput(), 1e-9);            // 1024 tokens per 1.024 s
        assertEquals(2 * weights * 1024, prefill.flop(), 1);
        assertEquals(1, decode.size());
        assertEquals(1024, prefill.size());
    }

    @Test
    void openBlasIsItsOwnSeriesPerThreadCount() throws IOException {
        List<Figure> f = figures();
        assertEquals("openblas", f.get(4).implementation());
        assertEquals("openblas 1t", f.get(4).series());
        assertEquals("openblas 2t", f.get(5).series());
        assertEquals(2, f.get(5).threads());
        assertEquals("simd 1t", f.get(3).series());
    }

    @Test
    void forwardBaselinesAndRngUseTheirOwnUnits() throws IOException {
        List<Figure> f = figures();
        assertEquals("tokens/s", f.get(6).unit());
        assertEquals(100, f.get(6).throughput(), 1e-9); // 2 x 4 tokens in 80 ms
        assertEquals(20, f.get(7).throughput(), 1e-9); // 1 GiB in 53.7 ms
        assertEquals("java", f.get(7).implementation());
        assertEquals(100, f.get(8).throughput(), 1e-9); // FMA peak, GFLOP/s
        assertEquals("M values/s", f.get(9).unit());
        assertEquals(100, f.get(9).throughput(), 1e-6);
    }
}
