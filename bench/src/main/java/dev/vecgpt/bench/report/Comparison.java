package dev.vecgpt.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The figures of one run side by side: for each kernel and case, every implementation's figure, so that
 * ratios are always taken between numbers measured in the same run; and the machine baselines of that run.
 */
public final class Comparison {

    /** The kernels compared across implementations, in the order the report shows them. */
    public static final List<String> KERNELS = List.of("gather", "add", "matmul", "step", "forward", "prefill", "decode");

    /** One kernel and case; {@code bySeries} maps e.g. {@code "simd"} or {@code "openblas 1t"} to its figure. */
    public record Row(String kernel, String label, Map<String, Figure> bySeries) {

        /** Throughput of {@code a} ÷ throughput of {@code b} (= b's time ÷ a's time), if both were measured. */
        public Optional<Double> ratio(String a, String b) {
            Figure fa = bySeries.get(a);
            Figure fb = bySeries.get(b);
            return fa == null || fb == null ? Optional.empty() : Optional.of(fb.seconds() / fa.seconds());
        }
    }

    private final List<Figure> figures;

    public Comparison(List<Figure> figures) {
        this.figures = List.copyOf(figures);
    }

    public List<Figure> figures() {
        return figures;
    }

    /**
     * Rows in {@link #KERNELS} order, cases from small to large. A case measured twice for one series (e.g.
     * scalar by both matmul classes, after {@code -p kernels=scalar,simd}) keeps its first figure.
     */
    public List<Row> rows() {
        Map<String, Row> rows = new LinkedHashMap<>();
        compared().forEach(f -> rows.computeIfAbsent(f.kernel() + " " + f.label(),
                k -> new Row(f.kernel(), f.label(), new LinkedHashMap<>())).bySeries().putIfAbsent(f.series(), f));
        return new ArrayList<>(rows.values());
    }

    /** The figures that {@link #rows()} leaves out because their kernel, case and series were already there. */
    public List<Figure> duplicates() {
        Set<String> seen = new HashSet<>();
        return compared().filter(f -> !seen.add(f.kernel() + " " + f.label() + " " + f.series())).toList();
    }

    private Stream<Figure> compared() {
        return figures.stream()
                .filter(f -> KERNELS.contains(f.kernel()))
                .sorted(Comparator.comparing((Figure f) -> KERNELS.indexOf(f.kernel())).thenComparing(Figure::size));
    }

    /** All series of the compared kernels: scalar, simd, then OpenBLAS by thread count, then any other. */
    public List<String> series() {
        return figures.stream()
                .filter(f -> KERNELS.contains(f.kernel()))
                .sorted(Comparator.comparing((Figure f) -> seriesRank(f.series())).thenComparing(Figure::threads))
                .map(Figure::series)
                .distinct()
                .toList();
    }

    private static int seriesRank(String series) {
        return series.equals("scalar") ? 0 : series.startsWith("simd") ? 1 : series.startsWith("openblas") ? 2 : 3;
    }

    /** The machine baselines (DRAM read, FMA peak) and the RNG fills. */
    public List<Figure> baselines() {
        return figures.stream().filter(f -> !KERNELS.contains(f.kernel())).toList();
    }

    /**
     * The measured time's fraction of the best time this machine allows, from this run's baselines at the
     * same thread count: bytes ÷ DRAM read bandwidth, or FLOP ÷ FMA peak, whichever is longer. Above 1 when
     * the data fit in cache. Empty for the baselines themselves, forward, or a missing baseline.
     */
    public Optional<Double> ofRoofline(Figure f) {
        if (!KERNELS.contains(f.kernel())) {
            return Optional.empty();
        }
        double best = 0;
        Optional<Figure> bandwidth = baseline("dramRead", f.threads());
        if (!Double.isNaN(f.bytes()) && bandwidth.isPresent()) {
            best = Math.max(best, f.bytes() / (bandwidth.get().throughput() * 1e9));
        }
        Optional<Figure> peak = baseline("fmaPeak", f.threads());
        if (!Double.isNaN(f.flop()) && peak.isPresent()) {
            best = Math.max(best, f.flop() / (peak.get().throughput() * 1e9));
        }
        return best == 0 ? Optional.empty() : Optional.of(best / f.seconds());
    }

    private Optional<Figure> baseline(String kernel, int threads) {
        return figures.stream().filter(b -> b.kernel().equals(kernel) && b.threads() == threads).findFirst();
    }
}
