package dev.vecgpt.bench;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a prefill's time goes, kernel by kernel: GPT-2 124M (seed 123, F32) reads a prompt of
 * TOKENS tokens through kernels that time each call; after six warm-up passes, five timed ones.
 * A profile to find the next thing to speed up, not a benchmark (GptBenchmark.prefill is): the
 * timing wrapper's own calls are in the total.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.vecgpt.bench.PrefillProfile [THREADS [TOKENS]]}
 */
public final class PrefillProfile {

    private static final int WARM_UP = 6;
    private static final int TIMED = 5;

    private PrefillProfile() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : GptBenchmark.PREFILL_TOKENS;
        try (Kernels kernels = KernelState.kernels("simd", threads)) {
            Timed timed = new Timed(kernels);
            try (GptModel model = new GptModel(GptConfig.GPT_CONFIG_124M, 123,
                    ModelOptions.DEFAULT.withKernels(timed.kernels()).withFormat(WeightFormat.F32));
                 GptSession session = model.newSession()) {
                int[] prompt = new int[tokens];
                for (int i = 0; i < tokens; i++) {
                    prompt[i] = (i * 7919) % GptConfig.GPT_CONFIG_124M.vocabSize();
                }
                for (int i = 0; i < WARM_UP; i++) {
                    session.clearCache(); // the whole prompt every time
                    session.generate(prompt, Generation.greedy(1));
                }
                timed.nanos.clear();
                long start = System.nanoTime();
                for (int i = 0; i < TIMED; i++) {
                    session.clearCache(); // the whole prompt every time
                    session.generate(prompt, Generation.greedy(1));
                }
                double totalMs = (System.nanoTime() - start) / 1e6 / TIMED;
                System.out.printf("%d tokens, %d threads: %.1f ms per prefill (%.0f tokens/s)%n", tokens, threads,
                        totalMs, tokens / totalMs * 1000);
                timed.nanos.forEach((kernel, nanos) -> System.out.printf("  %-24s %8.1f ms  %5.1f %%%n", kernel,
                        nanos[0] / 1e6 / TIMED, 100 * nanos[0] / 1e6 / TIMED / totalMs));
            }
        }
    }

    /**
     * Times every kernel call of {@code delegate} (a matmul's by its weight's shape) through a
     * {@link Proxy}: one place for all the methods, whatever {@link Kernels} comes to hold. The
     * reflective call costs well under a microsecond against the milliseconds of a prefill's kernels.
     */
    private static final class Timed implements InvocationHandler {

        /** Forwarded untimed: they describe or make kernels, they compute nothing. */
        private static final Set<String> UNTIMED = Set.of("name", "threads", "withThreads", "close", "pack");

        private final Kernels delegate;
        final Map<String, long[]> nanos = new TreeMap<>();

        Timed(Kernels delegate) {
            this.delegate = delegate;
        }

        Kernels kernels() {
            return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                    this);
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            long start = System.nanoTime();
            Object result;
            try {
                result = method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (!UNTIMED.contains(method.getName())) {
                nanos.computeIfAbsent(kernel(method, args), k -> new long[1])[0] += System.nanoTime() - start;
            }
            return result;
        }

        private static String kernel(Method method, Object[] args) {
            if (method.getName().equals("matmul")) {
                return args[1] instanceof PackedWeight w
                        ? "matmul N=" + w.shape().dim(0) + " K=" + w.shape().dim(1) : "matmul (unpacked)";
            }
            return method.getName();
        }
    }
}
