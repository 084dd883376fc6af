package dev.vecgpt.bench;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import java.lang.foreign.Arena;
import java.util.Map;
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
                    ModelOptions.DEFAULT.withKernels(timed).withFormat(WeightFormat.F32));
                 GptSession session = model.newSession()) {
                int[] prompt = new int[tokens];
                for (int i = 0; i < tokens; i++) {
                    prompt[i] = (i * 7919) % GptConfig.GPT_CONFIG_124M.vocabSize();
                }
                for (int i = 0; i < WARM_UP; i++) {
                    session.generate(prompt, Generation.greedy(1));
                }
                timed.nanos.clear();
                long start = System.nanoTime();
                for (int i = 0; i < TIMED; i++) {
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

    /** Delegates every kernel, adding each call's time to its kernel's (a matmul's by its output width). */
    private static final class Timed implements Kernels {

        private final Kernels delegate;
        final Map<String, long[]> nanos = new TreeMap<>();

        Timed(Kernels delegate) {
            this.delegate = delegate;
        }

        private void time(String kernel, Runnable call) {
            long start = System.nanoTime();
            call.run();
            nanos.computeIfAbsent(kernel, k -> new long[1])[0] += System.nanoTime() - start;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public int threads() {
            return delegate.threads();
        }

        @Override
        public void gather(Tensor table, int[] ids, Tensor out) {
            time("gather", () -> delegate.gather(table, ids, out));
        }

        @Override
        public void add(Tensor a, Tensor b, Tensor out) {
            time("add", () -> delegate.add(a, b, out));
        }

        @Override
        public void matmul(Tensor x, Tensor w, Tensor y) {
            time("matmul (unpacked)", () -> delegate.matmul(x, w, y));
        }

        @Override
        public PackedWeight pack(Tensor w, WeightFormat format, Arena arena) {
            return delegate.pack(w, format, arena);
        }

        @Override
        public void matmul(Tensor x, PackedWeight w, Tensor y) {
            time("matmul N=" + w.shape().dim(0) + " K=" + w.shape().dim(1), () -> delegate.matmul(x, w, y));
        }

        @Override
        public void layerNorm(Tensor x, Tensor scale, Tensor shift, float eps, Tensor out) {
            time("layerNorm", () -> delegate.layerNorm(x, scale, shift, eps, out));
        }

        @Override
        public void gelu(Tensor x, Tensor out) {
            time("gelu", () -> delegate.gelu(x, out));
        }

        @Override
        public void attentionScores(Tensor q, Tensor k, int heads, Tensor scores) {
            time("attentionScores", () -> delegate.attentionScores(q, k, heads, scores));
        }

        @Override
        public void softmax(Tensor x, Tensor out) {
            time("softmax", () -> delegate.softmax(x, out));
        }

        @Override
        public void attentionValues(Tensor weights, Tensor v, int heads, Tensor out) {
            time("attentionValues", () -> delegate.attentionValues(weights, v, heads, out));
        }

        @Override
        public void attention(Tensor q, Tensor kT, Tensor v, int keys, int heads, Tensor out) {
            time("attention", () -> delegate.attention(q, kT, v, keys, heads, out));
        }

        @Override
        public void transposeInto(Tensor x, Tensor xT, int at) {
            time("transposeInto", () -> delegate.transposeInto(x, xT, at));
        }
    }
}
