package dev.vecgpt.bench.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The hand-made JMH results in {@code sample-results.json}: one case per kind of benchmark, with scores chosen
 * so that every throughput is round (gather 10 and 100 GB/s; matmul 2.5, 100, 20 and 40 GFLOP/s; forward
 * 100 tokens/s; DRAM 20 GB/s; FMA 100 GFLOP/s; normal_ 100 M values/s, given as a throughput-mode score).
 */
final class Sample {

    private Sample() {}

    /** Copies the sample to {@code dir}, as JMH would have written it there. */
    static Path copyTo(Path dir) {
        try (InputStream in = Sample.class.getResourceAsStream("sample-results.json")) {
            Path file = dir.resolve("results.json");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JmhResult> results(Path dir) throws IOException {
        return JmhResult.read(copyTo(dir));
    }

    static Comparison comparison(Path dir) throws IOException {
        return new Comparison(results(dir).stream().map(Figure::of).toList());
    }
}
