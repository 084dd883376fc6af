package dev.vecgpt.bench;

import static dev.vecgpt.core.GptConfig.GPT_CONFIG_124M;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a user of {@code vecgpt generate} gets from a fresh process, against the steady state. Each
 * cold case is a new process of the distribution's launcher ({@code bin/vecgpt generate --tokens N},
 * GPT-2 124M, seed 123, "Hello, I am"), run with and without the AOT cache and the kernel warm-up;
 * the steady state is {@link GptBenchmark#decode}'s workload in this JVM after a long warm-up,
 * measured before and after the cold runs, so both sides see the same machine; the cold runs are
 * interleaved, one of each variant after the other.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.vecgpt.bench.ColdStart \
 *     [DIST (model/target/vecgpt)] [RUNS (3)] [THREADS (2)] [FORMAT (F32)]
 * </pre>
 */
public final class ColdStart {

    /** The launcher's line on standard error, e.g. "model ready in 1.9 s; 10 new tokens in 0.3 s: 33.0 tokens/s". */
    private static final Pattern TIMING = Pattern.compile("model ready in ([0-9.]+) s; (\\d+) new tokens in ([0-9.]+) s");

    private record Variant(String name, String aot, String javaOpts) {}

    private static final List<Variant> VARIANTS = List.of(
            new Variant("neither", "", "-Dvecgpt.warmup=false"),
            new Variant("AOT cache only", "on", "-Dvecgpt.warmup=false"),
            new Variant("warm-up only (default)", "", ""),
            new Variant("AOT cache + warm-up", "on", ""));

    private static final int[] TOKENS = {1, 10, 100};

    private ColdStart() {}

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args.length > 0 ? args[0] : "model/target/vecgpt");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        WeightFormat format = WeightFormat.valueOf(args.length > 3 ? args[3] : "F32");
        Path launcher = dist.resolve("bin/vecgpt");
        if (!Files.isExecutable(launcher)) {
            System.err.println("no launcher at " + launcher + ": build it with mvn -DskipTests -pl model -am package");
            System.exit(2);
        }
        double steadyBefore = steadyState(threads, format);
        System.err.printf(Locale.ROOT, "steady state: %.1f tokens/s%n", steadyBefore);
        // Interleaved (run, then tokens, then variant innermost), so that a machine whose load drifts
        // during the minutes this takes does not favour whichever variant ran in its quiet spell.
        double[][][] ready = new double[VARIANTS.size()][TOKENS.length][runs];
        double[][][] gen = new double[VARIANTS.size()][TOKENS.length][runs];
        for (int r = 0; r < runs; r++) {
            for (int t = 0; t < TOKENS.length; t++) {
                for (int v = 0; v < VARIANTS.size(); v++) {
                    double[] m = cold(launcher, VARIANTS.get(v), TOKENS[t], threads, format);
                    ready[v][t][r] = m[0];
                    gen[v][t][r] = m[1];
                    System.err.printf(Locale.ROOT, "%s, %d tokens: ready %.2f s, generated in %.2f s%n",
                            VARIANTS.get(v).name(), TOKENS[t], m[0], m[1]);
                }
            }
        }
        List<String> rows = new ArrayList<>();
        for (int v = 0; v < VARIANTS.size(); v++) {
            rows.add(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.1f | %.1f |", VARIANTS.get(v).name(),
                    median(ready[v][2]), median(gen[v][0]), TOKENS[1] / median(gen[v][1]),
                    TOKENS[2] / median(gen[v][2])));
        }
        double steadyAfter = steadyState(threads, format);
        double steady = (steadyBefore + steadyAfter) / 2;
        System.out.printf(Locale.ROOT, "GPT-2 124M, %s, %d threads, %d fresh processes per cell (median); steady state "
                + "%.1f tokens/s (%.1f before, %.1f after the cold runs)%n%n", format, threads, runs, steady,
                steadyBefore, steadyAfter);
        System.out.println("| fresh process | model ready (s) | first token after (s) | tokens/s, first 10 | tokens/s, first 100 |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "| steady state (decode, as GptBenchmark) | | | %.1f | %.1f |%n", steady, steady);
    }

    /** {@code [model ready s, generation s]} of one fresh {@code vecgpt generate --tokens n}. */
    private static double[] cold(Path launcher, Variant variant, int n, int threads, WeightFormat format)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "generate", "--tokens", Integer.toString(n),
                "--threads", Integer.toString(threads)));
        if (format == WeightFormat.BF16) {
            command.add("--bf16");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("VECGPT_JAVA_OPTS", variant.javaOpts());
        pb.environment().put("VECGPT_AOT", variant.aot());
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(command + " failed:\n" + err);
        }
        Matcher m = TIMING.matcher(err);
        if (!m.find()) {
            throw new IllegalStateException("no timing line in:\n" + err);
        }
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(3))};
    }

    /** Tokens/s of GptBenchmark's decode (32 tokens after a 16-token prompt) after 15 s of the same. */
    private static double steadyState(int threads, WeightFormat format) {
        try (Kernels kernels = KernelState.kernels("simd", threads);
             GptModel model = new GptModel(GPT_CONFIG_124M, 123,
                     ModelOptions.DEFAULT.withKernels(kernels).withFormat(format));
             GptSession session = model.newSession()) {
            SplittableRandom random = new SplittableRandom(4);
            random.ints(GptBenchmark.PREFILL_TOKENS, 0, GPT_CONFIG_124M.vocabSize()).toArray(); // as the benchmark draws
            int[] prompt = random.ints(GptBenchmark.DECODE_PROMPT, 0, GPT_CONFIG_124M.vocabSize()).toArray();
            long end = System.nanoTime() + 15_000_000_000L;
            while (System.nanoTime() < end) {
                session.generate(prompt, Generation.greedy(GptBenchmark.DECODE_TOKENS));
            }
            double[] rates = new double[5];
            for (int i = 0; i < rates.length; i++) {
                int calls = 0;
                long start = System.nanoTime();
                long stop = start + 1_000_000_000L;
                while (System.nanoTime() < stop || calls == 0) {
                    session.generate(prompt, Generation.greedy(GptBenchmark.DECODE_TOKENS));
                    calls++;
                }
                rates[i] = calls * GptBenchmark.DECODE_TOKENS / ((System.nanoTime() - start) / 1e9);
            }
            return median(rates);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
