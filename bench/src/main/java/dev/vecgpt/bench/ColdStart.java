package dev.vecgpt.bench;

import static dev.vecgpt.core.GptConfig.GPT_CONFIG_124M;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.WeightFormat;
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
 * GPT-2 124M, seed 123, "Hello, I am"), run with and without the AOT cache and the kernel warm-up.
 * The steady state is a 16-token prompt read and 32 tokens generated ({@link GptBenchmark#decode}'s
 * tokens, but with the prompt's pass timed, as in a cold run) in this JVM, warmed up for 15 s
 * first and then measured for a second just before and just after every cold run of 100 tokens: on
 * a machine whose memory bus is shared with other tenants the rate swings by a third within seconds.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.vecgpt.bench.ColdStart \
 *     [DIST (model/target/vecgpt)] [RUNS (3)] [THREADS (2)] [FORMAT (F32)]
 * </pre>
 */
public final class ColdStart {

    /** The launcher's timing line on standard error. */
    private static final Pattern TIMING = Pattern.compile(
            "model ready in ([0-9.]+) s; first token after ([0-9.]+) s; (\\d+) new tokens in ([0-9.]+) s");

    private record Variant(String name, String aot, String javaOpts) {}

    private static final List<Variant> VARIANTS = List.of(
            new Variant("neither", "", "-Dvecgpt.warmup=false"),
            new Variant("AOT cache only", "on", "-Dvecgpt.warmup=false"),
            new Variant("warm-up only (default)", "", ""),
            new Variant("AOT cache + warm-up", "on", ""));

    /** One fresh process: seconds to the model, to the first token after it, and for all n tokens. */
    private record Cold(double ready, double firstToken, double generation) {}

    private static final int FEW = 10;
    private static final int MANY = 100;

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
        int cells = VARIANTS.size();
        double[][] ready = new double[cells][runs];
        double[][] first = new double[cells][runs];
        double[][] few = new double[cells][runs];
        double[][] many = new double[cells][runs];
        double[][] ratio = new double[cells][runs];
        List<Double> steady = new ArrayList<>();
        try (Steady hot = new Steady(threads, format)) {
            for (int r = 0; r < runs; r++) {
                // Variants innermost, so that a drift of the machine favours none of them.
                for (int v = 0; v < cells; v++) {
                    Variant variant = VARIANTS.get(v);
                    few[v][r] = FEW / cold(launcher, variant, FEW, threads, format).generation();
                    double before = hot.rate();
                    steady.add(before);
                    Cold c = cold(launcher, variant, MANY, threads, format);
                    steady.add(hot.rate());
                    ready[v][r] = c.ready();
                    first[v][r] = c.firstToken();
                    many[v][r] = MANY / c.generation();
                    ratio[v][r] = many[v][r] / ((before + steady.getLast()) / 2);
                    System.err.printf(Locale.ROOT, "%s: ready %.2f s, first token %.2f s, %.1f and %.1f tokens/s; "
                            + "steady %.1f before, %.1f after: %.2f of it%n", variant.name(), c.ready(), c.firstToken(),
                            few[v][r], many[v][r], before, steady.getLast(), ratio[v][r]);
                }
            }
        }
        double[] rates = steady.stream().mapToDouble(Double::doubleValue).toArray();
        System.out.printf(Locale.ROOT, "GPT-2 124M, %s, %d threads, %d rounds (medians); steady state %.1f tokens/s "
                + "(median of %d one-second measurements around the cold runs, %.1f to %.1f)%n%n", format, threads,
                runs, median(rates), rates.length, Arrays.stream(rates).min().orElseThrow(),
                Arrays.stream(rates).max().orElseThrow());
        System.out.println("| fresh process | model ready (s) | first token after (s) | tokens/s, first 10 "
                + "| tokens/s, first 100 | first 100 ÷ steady state |");
        System.out.println("|---|---|---|---|---|---|");
        for (int v = 0; v < cells; v++) {
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.1f | %.1f | %.2f |%n", VARIANTS.get(v).name(),
                    median(ready[v]), median(first[v]), median(few[v]), median(many[v]), median(ratio[v]));
        }
    }

    /** One fresh {@code vecgpt generate --tokens n}. */
    private static Cold cold(Path launcher, Variant variant, int n, int threads, WeightFormat format)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(launcher.toString(), "generate", "--tokens", Integer.toString(n),
                "--threads", Integer.toString(threads), "--format", format.name()));
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
        return new Cold(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(4)));
    }

    /** GptBenchmark's decode (32 tokens after a 16-token prompt), kept hot in this JVM. */
    private static final class Steady implements AutoCloseable {
        private final Kernels kernels;
        private final GptModel model;
        private final GptSession session;
        private final int[] prompt;

        Steady(int threads, WeightFormat format) {
            kernels = KernelState.kernels("simd", threads);
            model = new GptModel(GPT_CONFIG_124M, 123, ModelOptions.DEFAULT.withKernels(kernels).withFormat(format));
            session = model.newSession();
            SplittableRandom random = new SplittableRandom(4);
            // The prompt GptBenchmark draws: after the prefill's.
            random.ints(GptBenchmark.PREFILL_TOKENS, 0, GPT_CONFIG_124M.vocabSize()).toArray();
            prompt = random.ints(GptBenchmark.DECODE_PROMPT, 0, GPT_CONFIG_124M.vocabSize()).toArray();
            tokensPerSecond(15_000_000_000L);
        }

        /** Tokens/s over a second. */
        double rate() {
            return tokensPerSecond(1_000_000_000L);
        }

        private double tokensPerSecond(long nanos) {
            int calls = 0;
            long start = System.nanoTime();
            while (System.nanoTime() - start < nanos) {
                session.clearCache(); // the prompt's pass in every call, as in a cold run
                session.generate(prompt, Generation.greedy(GptBenchmark.DECODE_TOKENS));
                calls++;
            }
            return calls * GptBenchmark.DECODE_TOKENS / ((System.nanoTime() - start) / 1e9);
        }

        @Override
        public void close() {
            session.close();
            model.close();
            kernels.close();
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
