package dev.vecgpt.model.cli;

import dev.vecgpt.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints tensors the way PyTorch's {@code print(tensor)} does with its default options: 4 decimals,
 * one common width, integer or scientific notation where PyTorch picks them, and tensors of more than 1000 elements summarized to their first and last 3
 * entries per dimension, so our output can be compared with a notebook's by eye or by diff.
 */
public final class TorchFormat {

    private static final int THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final String PREFIX = "tensor(";

    private TorchFormat() {}

    /** An integer tensor {@code [B][T]}, e.g. token ids. */
    public static String ints(int[][] values) {
        List<String> cells = new ArrayList<>();
        for (int[] row : values) {
            for (int v : row) {
                cells.add(Integer.toString(v));
            }
        }
        int width = cells.stream().mapToInt(String::length).max().orElse(1);
        StringBuilder out = new StringBuilder(PREFIX).append('[');
        for (int b = 0; b < values.length; b++) {
            if (b > 0) {
                out.append(",\n").append(" ".repeat(PREFIX.length() + 1));
            }
            out.append('[');
            for (int t = 0; t < values[b].length; t++) {
                out.append(t > 0 ? ", " : "").append(pad(Integer.toString(values[b][t]), width));
            }
            out.append(']');
        }
        return out.append("])").toString();
    }

    /** A float tensor of any rank. */
    public static String floats(Tensor tensor) {
        int[] dims = tensor.shape().dims();
        boolean summarize = tensor.size() > THRESHOLD;
        List<Float> shown = new ArrayList<>();
        collect(tensor, dims, 0, 0, summarize, shown);
        Style style = Style.of(shown);
        int width = shown.stream().mapToInt(v -> style.format(v).length()).max().orElse(1);
        StringBuilder out = new StringBuilder(PREFIX);
        render(tensor, dims, 0, 0, summarize, style, width, out);
        return out.append(')').toString();
    }

    private static void collect(Tensor t, int[] dims, int depth, long base, boolean summarize, List<Float> shown) {
        for (int i : indices(dims[depth], summarize)) {
            long offset = base * dims[depth] + i;
            if (depth == dims.length - 1) {
                shown.add(t.get(offset));
            } else {
                collect(t, dims, depth + 1, offset, summarize, shown);
            }
        }
    }

    private static void render(Tensor t, int[] dims, int depth, long base, boolean summarize, Style style,
                               int width, StringBuilder out) {
        String indent = " ".repeat(PREFIX.length() + depth + 1);
        // PyTorch separates sub-tensors by one newline per dimension below them.
        String rowSeparator = "," + "\n".repeat(dims.length - depth - 1) + indent;
        out.append('[');
        boolean first = true;
        int[] indices = indices(dims[depth], summarize);
        for (int n = 0; n < indices.length; n++) {
            int i = indices[n];
            if (!first) {
                out.append(depth == dims.length - 1 ? ", " : rowSeparator);
            }
            first = false;
            if (summarize && dims[depth] > 2 * EDGE_ITEMS && n == EDGE_ITEMS) {
                // PyTorch's placeholder is " ..." for numbers, "..." for rows.
                out.append(depth == dims.length - 1 ? " ..., " : "..." + rowSeparator);
            }
            long offset = base * dims[depth] + i;
            if (depth == dims.length - 1) {
                out.append(pad(style.format(t.get(offset)), width));
            } else {
                render(t, dims, depth + 1, offset, summarize, style, width, out);
            }
        }
        out.append(']');
    }

    private static int[] indices(int size, boolean summarize) {
        if (!summarize || size <= 2 * EDGE_ITEMS) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] edges = new int[2 * EDGE_ITEMS];
        for (int i = 0; i < EDGE_ITEMS; i++) {
            edges[i] = i;
            edges[EDGE_ITEMS + i] = size - EDGE_ITEMS + i;
        }
        return edges;
    }

    /** How PyTorch's formatter prints the numbers it shows, decided from the non-zero finite ones. */
    private enum Style {
        FIXED, INTEGER, SCIENTIFIC;

        static Style of(List<Float> shown) {
            double max = 0;
            double min = Double.MAX_VALUE;
            boolean integral = true;
            for (float v : shown) {
                double a = Math.abs(v);
                if (a != 0 && Double.isFinite(a)) {
                    max = Math.max(max, a);
                    min = Math.min(min, a);
                    integral &= v == Math.ceil(v);
                }
            }
            if (max == 0) {
                return integral ? INTEGER : FIXED;
            }
            boolean wide = max / min > 1000 || max > 1e8;
            if (integral) {
                return wide ? SCIENTIFIC : INTEGER;
            }
            return wide || min < 1e-4 ? SCIENTIFIC : FIXED;
        }

        String format(float v) {
            if (!Float.isFinite(v)) {
                return Float.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
            }
            // The float's exact decimal value, rounded once, as Python's format() does.
            java.math.BigDecimal exact = new java.math.BigDecimal(v);
            return switch (this) {
                case FIXED -> String.format(Locale.ROOT, "%.4f", exact);
                case INTEGER -> String.format(Locale.ROOT, "%.0f.", exact);
                case SCIENTIFIC -> String.format(Locale.ROOT, "%.4e", exact);
            };
        }
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
