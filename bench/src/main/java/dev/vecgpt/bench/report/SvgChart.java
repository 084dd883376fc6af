package dev.vecgpt.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chart: one panel per kernel in its own unit (GB/s, GFLOP/s, tokens/s), a group of bars per case, one
 * bar per implementation (scalar, simd, OpenBLAS per thread count), each labelled with its value.
 *
 * <p>Plain SVG written by hand: a grouped bar chart is about a hundred lines of string building, while a
 * plotting library (JFreeChart, XChart) would add a dependency, and AWT fonts to render a PNG, for no
 * better result. SVG is text, diffs in git, and GitHub shows it inline in the README. The scale is linear,
 * so bar lengths compare as the ratios do; the printed values keep the short (scalar) bars readable.
 */
final class SvgChart {

    private static final String[] COLORS = {"#9e9e9e", "#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd",
            "#8c564b", "#e377c2", "#17becf", "#bcbd22"};
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int BAR = 32;
    private static final int BAR_GAP = 4;
    private static final int GROUP_GAP = 32;
    private static final int LEGEND = 56;
    private static final int PANEL_TOP = 40;
    private static final int PLOT = 150;
    private static final int PANEL_BOTTOM = 30;

    private SvgChart() {}

    static String render(Comparison c, String title) {
        List<String> series = c.series();
        Map<String, List<Comparison.Row>> panels = new LinkedHashMap<>();
        c.rows().forEach(r -> panels.computeIfAbsent(r.kernel(), k -> new ArrayList<>()).add(r));
        int groupWidth = series.size() * (BAR + BAR_GAP) - BAR_GAP + GROUP_GAP;
        int groups = panels.values().stream().mapToInt(List::size).max().orElse(1);
        int width = Math.max(LEFT + RIGHT + groups * groupWidth, 120 * series.size() + LEFT);
        int panelHeight = PANEL_TOP + PLOT + PANEL_BOTTOM;
        int height = LEGEND + panels.size() * panelHeight;

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        text(svg, LEFT, 18, "start", 13, escape(title));
        for (int i = 0; i < series.size(); i++) {
            int x = LEFT + i * 120;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"30\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    x, color(i)));
            text(svg, x + 16, 40, "start", 11, escape(series.get(i)));
        }
        int top = LEGEND;
        for (Map.Entry<String, List<Comparison.Row>> panel : panels.entrySet()) {
            panel(svg, panel.getKey(), panel.getValue(), series, top, width, groupWidth);
            top += panelHeight;
        }
        return svg.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder svg, String kernel, List<Comparison.Row> rows, List<String> series,
            int top, int width, int groupWidth) {
        String unit = rows.getFirst().bySeries().values().iterator().next().unit();
        double max = niceCeiling(rows.stream().flatMap(r -> r.bySeries().values().stream())
                .mapToDouble(Figure::throughput).max().orElse(1));
        int base = top + PANEL_TOP + PLOT;
        text(svg, LEFT, top + 16, "start", 12, escape(kernel + " (" + unit + ", higher is better)"));
        for (int k = 0; k <= 4; k++) {
            double y = base - PLOT * k / 4.0;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                    LEFT, y, width - RIGHT, y, k == 0 ? "#333" : "#e0e0e0"));
            text(svg, LEFT - 6, (int) y + 4, "end", 10, Format.tick(max * k / 4));
        }
        for (int g = 0; g < rows.size(); g++) {
            Comparison.Row row = rows.get(g);
            int x0 = LEFT + GROUP_GAP / 2 + g * groupWidth;
            for (int s = 0; s < series.size(); s++) {
                Figure f = row.bySeries().get(series.get(s));
                if (f == null) {
                    continue;
                }
                double h = PLOT * f.throughput() / max;
                int x = x0 + s * (BAR + BAR_GAP);
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                        + "<title>%s</title></rect>%n", x, base - h, BAR, h, color(s),
                        escape(series.get(s) + ", " + row.label() + ": " + Format.number(f.throughput()) + " " + unit)));
                text(svg, x + BAR / 2, (int) (base - h) - 3, "middle", 9, Format.number(f.throughput()));
            }
            text(svg, x0 + (groupWidth - GROUP_GAP) / 2, base + 16, "middle", 11, escape(row.label()));
        }
    }

    /** The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least {@code v}. */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v * (1 - 1e-12)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String color(int series) {
        return COLORS[series % COLORS.length];
    }

    private static void text(StringBuilder svg, int x, int y, String anchor, int size, String text) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x, y, anchor, size, text));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
