package dev.vecgpt.bench;

import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/** What every kernel benchmark shares: the kernels under test and an arena for its inputs. */
final class KernelState {

    private KernelState() {}

    static Kernels kernels(String name) {
        return KernelProvider.byName(name);
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
}
