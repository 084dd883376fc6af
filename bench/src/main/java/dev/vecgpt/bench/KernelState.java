package dev.vecgpt.bench;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;

/** What the kernel benchmarks share: the kernels under test, seeded inputs, and their shape parameters. */
final class KernelState {

    private KernelState() {}

    /** New kernels {@code name} on {@code threads} threads (the scalar reference always runs on one); close them. */
    static Kernels kernels(String name, int threads) {
        Kernels made = KernelProvider.byName(name);
        if (made.threads() == threads) {
            return made;
        }
        Kernels limited = made.withThreads(threads);
        if (limited != made) {
            made.close(); // its own pool is not needed
        }
        return limited;
    }

    /** A tensor of uniform values in [-1, 1) from a fixed seed, so runs are comparable. */
    static Tensor random(Arena arena, long seed, int... dims) {
        Tensor t = Tensor.allocate(arena, dims);
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) (random.nextDouble() * 2 - 1));
        }
        return t;
    }

    /** The sizes in a shape parameter such as {@code "8x1024"} or {@code "8x50257x768"}. */
    static int[] dims(String param) {
        return Arrays.stream(param.split("x")).mapToInt(Integer::parseInt).toArray();
    }
}
