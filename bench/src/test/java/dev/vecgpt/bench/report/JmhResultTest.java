package dev.vecgpt.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhResultTest {

    @TempDir
    Path dir;

    @Test
    void readsEveryEntryWithItsSettingsAndParameters() throws IOException {
        List<JmhResult> results = Sample.results(dir);
        assertEquals(10, results.size());
        JmhResult scalar = results.get(2);
        assertEquals("ScalarMatmulBenchmark", scalar.className());
        assertEquals("matmul", scalar.method());
        assertEquals("ss", scalar.mode());
        assertEquals(Map.of("shape", "8x50257x768", "kernels", "scalar"), scalar.params());
        assertEquals(1, scalar.forks());
        assertEquals(1, scalar.warmupIterations());
        assertEquals(3, scalar.measurementIterations());
        assertEquals("25.0.3", scalar.jdkVersion());
        assertEquals("1.37", scalar.jmhVersion());
        assertEquals(List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"),
                results.get(4).jvmArgs());
    }

    @Test
    void convertsEveryUnitToSecondsPerCall() throws IOException {
        List<JmhResult> results = Sample.results(dir);
        assertEquals(4.9152e-6, results.get(0).secondsPerOp(), 1e-15); // us/op
        assertEquals(5e-8, results.get(0).errorSeconds(), 1e-15);
        assertEquals(0.2470232064, results.get(2).secondsPerOp(), 1e-12); // ms/op
        assertEquals(0.38597376, results.get(9).secondsPerOp(), 1e-9); // ops/s
    }

    @Test
    void readsJmhsNaNErrorOfASingleIteration() throws IOException {
        assertTrue(Double.isNaN(Sample.results(dir).get(6).error()));
    }
}
