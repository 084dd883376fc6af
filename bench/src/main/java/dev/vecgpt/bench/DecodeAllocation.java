package dev.vecgpt.bench;

import com.sun.management.ThreadMXBean;
import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import java.lang.management.ManagementFactory;

/**
 * Heap bytes the calling thread allocates per decode token of GPT-2 124M (seed 123, eval), after
 * WARMUP generations of 32 tokens (default 60, about 30 s: until then some vector code still runs
 * at a C1 tier, which boxes): generating 33 tokens minus generating 1, over 32. A JMH
 * {@code -prof gc} figure also counts the JIT's warm-up boxing, which on a busy machine can swamp
 * it; this one is exact for the caller (worker threads are not counted).
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.vecgpt.bench.DecodeAllocation [THREADS [FORMAT [WARMUP]]]}
 */
public final class DecodeAllocation {

    private DecodeAllocation() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        WeightFormat format = WeightFormat.valueOf(args.length > 1 ? args[1] : "F32");
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Kernels kernels = KernelState.kernels("simd", threads);
             GptModel model = new GptModel(GptConfig.GPT_CONFIG_124M, 123,
                     ModelOptions.DEFAULT.withKernels(kernels).withFormat(format));
             GptSession session = model.newSession()) {
            int[] prompt = {15496, 11, 314, 716};
            for (int i = 0; i < warmUp; i++) {
                session.clearCache(); // the prompt's pass too, as measured below
                session.generate(prompt, Generation.greedy(32)); // warm-up: C2 compiles the kernels
            }
            for (int round = 0; round < 3; round++) {
                long start = mx.getCurrentThreadAllocatedBytes();
                session.clearCache(); // both calls read the whole prompt
                session.generate(prompt, Generation.greedy(1));
                long one = mx.getCurrentThreadAllocatedBytes();
                session.clearCache();
                session.generate(prompt, Generation.greedy(33));
                long many = mx.getCurrentThreadAllocatedBytes();
                System.out.printf("%s, %d threads: %.0f bytes per decode token on the calling thread%n", format,
                        threads, ((many - one) - (one - start)) / 32.0);
            }
        }
    }
}
