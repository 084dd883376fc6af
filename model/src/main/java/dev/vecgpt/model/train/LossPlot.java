package dev.vecgpt.model.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The book's {@code plot_losses} as SVG: training loss (solid) and validation loss (dash-dot) at each evaluation
 * against epochs ({@code linspace(0, epochs, evaluations)}) on the bottom axis, tokens seen on the top axis,
 * legend upper right. Hand-written SVG: a two-line chart is a page of string building, not worth a plotting library.
 */
public final class LossPlot {

    private static final int WIDTH = 500;
    private static final int HEIGHT = 300;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 48;
    private static final int BOTTOM = 44;
    private static final String TRAIN_COLOR = "#1f77b4";
    private static final String VAL_COLOR = "#ff7f0e";

    private LossPlot() {}

    /** The SVG of {@code evaluations} from a run of {@code epochs} epochs. */
    public static String svg(List<Trainer.Evaluation> evaluations, int epochs) {
        if (evaluations.isEmpty()) {
            throw new IllegalArgumentException("no evaluations to plot");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        int n = evaluations.size();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Trainer.Evaluation e : evaluations) {
            lo = Math.min(lo, Math.min(e.trainLoss(), e.valLoss()));
            hi = Math.max(hi, Math.max(e.trainLoss(), e.valLoss()));
        }
        double yStep = niceStep((hi - lo) / 5);
        double yMin = Math.floor(lo / yStep) * yStep;
        double yMax = Math.max(Math.ceil(hi / yStep) * yStep, yMin + yStep);
        Frame f = new Frame(epochs, yMin, yMax);

        StringBuilder s = new StringBuilder();
        s.append(fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        s.append(fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        s.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>%n",
                LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
        int epochStep = Math.max(1, (int) Math.ceil(epochs / 10.0));
        for (int e = 0; e <= epochs; e += epochStep) { // integer epochs, as MaxNLocator(integer=True)
            double x = f.x(e);
            tick(s, x, HEIGHT - BOTTOM, 5);
            text(s, x, HEIGHT - BOTTOM + 17, "middle", Integer.toString(e));
        }
        text(s, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, HEIGHT - 8, "middle", "Epochs");
        for (double y = yMin; y <= yMax + yStep / 2; y += yStep) {
            double py = f.y(y);
            s.append(fmt("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>%n", LEFT - 5, py, LEFT, py));
            text(s, LEFT - 8, py + 4, "end", label(y, yStep));
        }
        s.append(fmt("<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">Loss</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2.0, (TOP + HEIGHT - BOTTOM) / 2.0));
        tokenAxis(s, f, evaluations);
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = n == 1 ? 0 : epochs * (double) i / (n - 1); // torch.linspace(0, epochs, n)
        }
        line(s, f, xs, evaluations.stream().mapToDouble(Trainer.Evaluation::trainLoss).toArray(), TRAIN_COLOR, null);
        line(s, f, xs, evaluations.stream().mapToDouble(Trainer.Evaluation::valLoss).toArray(), VAL_COLOR, "8 3 2 3");
        legend(s);
        return s.append("</svg>\n").toString();
    }

    /** Writes {@link #svg} to {@code file}. */
    public static void write(Path file, List<Trainer.Evaluation> evaluations, int epochs) throws IOException {
        Files.writeString(file, svg(evaluations, epochs));
    }

    /** Plot coordinates: x in epochs, y in loss. */
    private record Frame(int epochs, double yMin, double yMax) {
        double x(double epoch) {
            return LEFT + (WIDTH - LEFT - RIGHT) * epoch / epochs;
        }

        double y(double loss) {
            return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (loss - yMin) / (yMax - yMin);
        }
    }

    /** The top axis: tokens seen, linear between the first and the last evaluation (ax1.twiny()). */
    private static void tokenAxis(StringBuilder s, Frame f, List<Trainer.Evaluation> evaluations) {
        long first = evaluations.getFirst().tokensSeen();
        long last = evaluations.getLast().tokensSeen();
        text(s, LEFT + (WIDTH - LEFT - RIGHT) / 2.0, 16, "middle", "Tokens seen");
        if (last <= first) {
            return;
        }
        double step = niceStep((last - first) / 5.0);
        for (double t = Math.ceil(first / step) * step; t <= last; t += step) {
            double x = f.x(f.epochs() * (t - first) / (last - first));
            tick(s, x, TOP, -5);
            text(s, x, TOP - 9, "middle", label(t, step));
        }
    }

    private static void line(StringBuilder s, Frame f, double[] xs, double[] ys, String color, String dash) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < xs.length; i++) {
            points.append(fmt("%s%.1f,%.1f", i == 0 ? "" : " ", f.x(xs[i]), f.y(ys[i])));
        }
        s.append(fmt("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s/>%n", points, color,
                dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
    }

    private static void legend(StringBuilder s) {
        int x = WIDTH - RIGHT - 130;
        int y = TOP + 10;
        s.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"122\" height=\"40\" fill=\"white\" stroke=\"#cccccc\"/>%n", x, y));
        s.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\"/>%n",
                x + 6, y + 13, x + 30, y + 13, TRAIN_COLOR));
        text(s, x + 36, y + 17, "start", "Training loss");
        s.append(fmt("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"1.5\""
                + " stroke-dasharray=\"8 3 2 3\"/>%n", x + 6, y + 30, x + 30, y + 30, VAL_COLOR));
        text(s, x + 36, y + 34, "start", "Validation loss");
    }

    private static void tick(StringBuilder s, double x, double y, int length) {
        s.append(fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>%n", x, y, x, y + length));
    }

    private static void text(StringBuilder s, double x, double y, String anchor, String text) {
        s.append(fmt("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n", x, y, anchor, text));
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw * (1 - 1e-9)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double value, double step) {
        int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
