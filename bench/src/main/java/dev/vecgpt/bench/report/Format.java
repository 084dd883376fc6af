package dev.vecgpt.bench.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/** Numbers as the report prints them: three significant digits, no exponents. */
final class Format {

    private Format() {}

    /** E.g. {@code 0.0123}, {@code 1.23}, {@code 12.3}, {@code 123}, {@code 12300}; {@code 9.99999} is {@code 10.0}. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "—";
        }
        BigDecimal r = round(v);
        int integerDigits = r.precision() - r.scale();
        return r.setScale(Math.max(0, 3 - integerDigits), RoundingMode.HALF_EVEN).toPlainString();
    }

    /** An axis tick: three significant digits without trailing zeros, e.g. {@code 25}, {@code 37.5}. */
    static String tick(double v) {
        return v == 0 ? "0" : round(v).stripTrailingZeros().toPlainString();
    }

    private static BigDecimal round(double v) {
        return new BigDecimal(v).round(new MathContext(3, RoundingMode.HALF_EVEN));
    }

    /** A time per call in the unit that reads best, with its error if there is one. */
    static String time(double seconds, double errorSeconds) {
        double scale;
        String unit;
        if (seconds >= 1) {
            scale = 1;
            unit = "s";
        } else if (seconds >= 1e-3) {
            scale = 1e3;
            unit = "ms";
        } else if (seconds >= 1e-6) {
            scale = 1e6;
            unit = "µs";
        } else {
            scale = 1e9;
            unit = "ns";
        }
        String error = Double.isNaN(errorSeconds) ? "" : " ± " + number(errorSeconds * scale);
        return number(seconds * scale) + error + " " + unit;
    }

    /** A ratio of throughputs, e.g. {@code 12.3×}. */
    static String ratio(double r) {
        return number(r) + "×";
    }

    /** A fraction as a percentage, e.g. {@code 87%}. */
    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }
}
