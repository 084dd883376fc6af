package dev.vecgpt.bench.report;

import static dev.vecgpt.core.GptConfig.GPT_CONFIG_124M;

import dev.vecgpt.bench.GptBenchmark;

import dev.vecgpt.bench.FmaPeakBenchmark;
import dev.vecgpt.bench.MemoryBandwidthBenchmark;
import java.util.Arrays;

/**
 * One benchmark result read as people compare it: which kernel, which case, whose implementation, and
 * the throughput in that kernel's usual unit. The sizes are those the benchmarks use (GPT-2 124M's).
 *
 * @param kernel         the benchmark method: gather, add, matmul, forward, dramRead, fmaPeak, normal, uniform
 * @param label          the case, e.g. {@code 8x50257x768} or {@code 1024 tokens}; empty if there is one case
 * @param implementation {@code scalar} or {@code simd} (the {@code kernels} parameter), {@code openblas}, or
 *                       {@code java} for the machine baselines
 * @param bytes          bytes read and written per call (NaN where not meaningful)
 * @param flop           floating-point operations per call (NaN where not meaningful)
 */
public record Figure(JmhResult result, String kernel, String label, String implementation, int threads,
        double seconds, double errorSeconds, double throughput, String unit, double bytes, double flop) {

    private static final double D = GPT_CONFIG_124M.embDim();
    private static final double FLOAT = Float.BYTES;

    public static Figure of(JmhResult r) {
        String kernel = r.method();
        // No kernels parameter: OpenBLAS, the GPT benchmarks (always simd), or a machine baseline.
        String implementation = r.params().getOrDefault("kernels", r.className().startsWith("OpenBlas") ? "openblas"
                : r.className().startsWith("Ort") ? "ort" : Comparison.KERNELS.contains(kernel) ? "simd" : "java");
        int threads = Integer.parseInt(r.params().getOrDefault("threads", "1"));
        double s = r.secondsPerOp();
        double bytes = Double.NaN;
        double flop = Double.NaN;
        String label = "";
        double throughput;
        String unit;
        switch (kernel) {
            case "gather" -> {
                double tokens = Double.parseDouble(r.params().get("tokens"));
                label = r.params().get("tokens") + " tokens";
                bytes = 2 * tokens * D * FLOAT; // each row read from the table and written out
            }
            case "add" -> {
                label = r.params().get("batch");
                double[] bt = dims(label);
                bytes = (2 * bt[0] * bt[1] + bt[1]) * D * FLOAT; // a read and written, b read once
            }
            case "matmul" -> {
                label = r.params().get("shape");
                double[] mnk = dims(label);
                flop = 2 * mnk[0] * mnk[1] * mnk[2];
                // X and W read once, Y written
                bytes = (mnk[0] * mnk[2] + mnk[0] * mnk[1]) * FLOAT + mnk[1] * mnk[2] * weightBytes(r);
            }
            case "forward" -> label = r.params().get("batch");
            case "prefill" -> {
                label = GptBenchmark.PREFILL_TOKENS + " tokens";
                flop = 2 * GPT2_MATMUL_WEIGHTS * GptBenchmark.PREFILL_TOKENS; // the matmuls' share
            }
            case "step" -> { // DecodeMatmulBenchmark: a decode step's matmuls, every weight read once
                label = "decode matmuls";
                bytes = GPT2_MATMUL_WEIGHTS * weightBytes(r);
            }
            case "decode" -> {
                label = "1 token";
                bytes = GPT2_MATMUL_WEIGHTS * weightBytes(r); // every weight read once per token
            }
            case "dramRead" -> bytes = MemoryBandwidthBenchmark.BYTES;
            case "fmaPeak" -> flop = (double) FmaPeakBenchmark.FLOP_PER_THREAD * threads;
            default -> { }
        }
        if (kernel.equals("forward")) {
            double[] bt = dims(label);
            throughput = bt[0] * bt[1] / s;
            unit = "tokens/s";
        } else if (kernel.equals("prefill")) {
            throughput = GptBenchmark.PREFILL_TOKENS / s;
            unit = "tokens/s";
        } else if (kernel.equals("decode")) {
            throughput = 1 / s;
            unit = "tokens/s";
        } else if (kernel.equals("normal") || kernel.equals("uniform")) {
            throughput = GPT_CONFIG_124M.vocabSize() * D / s / 1e6;
            unit = "M values/s";
        } else if (!Double.isNaN(flop)) {
            throughput = flop / s / 1e9;
            unit = "GFLOP/s";
        } else if (!Double.isNaN(bytes)) {
            throughput = bytes / s / 1e9;
            unit = "GB/s";
        } else {
            throughput = 1 / s;
            unit = "ops/s";
        }
        return new Figure(r, kernel, label, implementation, threads, s, r.errorSeconds(), throughput, unit,
                bytes, flop);
    }

    /**
     * The series this figure belongs to in comparisons: {@code scalar}, {@code simd 1t},
     * {@code simd bf16 2t} (ours, by weight format and threads) or {@code openblas 2t}.
     */
    public String series() {
        return switch (implementation) {
            case "openblas", "ort" -> implementation + " " + threads + "t";
            case "simd" -> "simd " + formatTag(result) + threads + "t";
            default -> implementation;
        };
    }

    /** Weights of GPT-2 124M's matmuls: 12 blocks of 4·768² + 2·768·3072, and the 50257 x 768 out_head. */
    static final double GPT2_MATMUL_WEIGHTS = 12.0 * (4 * 768 * 768 + 2 * 768 * 3072) + 50257.0 * 768;

    private static String formatTag(JmhResult r) {
        return switch (r.params().getOrDefault("format", "F32")) {
            case "BF16" -> "bf16 ";
            case "Q8_0" -> "q8 ";
            default -> "";
        };
    }

    /** Bytes a weight takes: Q8_0 is one int8 plus a 4-byte scale per block of 32. */
    private static double weightBytes(JmhResult r) {
        return switch (r.params().getOrDefault("format", "F32")) {
            case "BF16" -> 2;
            case "Q8_0" -> 1 + 4.0 / 32;
            default -> FLOAT;
        };
    }

    /** A size for ordering cases: the product of the numbers in the label. */
    public double size() {
        String numbers = label.replaceAll("[^0-9x]", ""); // "8x1024", "1024 tokens", "1 token"
        return numbers.isEmpty() ? 0 : Arrays.stream(dims(numbers)).reduce(1, (a, b) -> a * b);
    }

    private static double[] dims(String param) {
        return Arrays.stream(param.split("x")).mapToDouble(Double::parseDouble).toArray();
    }
}
