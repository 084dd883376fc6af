package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.fail;

import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/** Random inputs and bit-level comparisons for the kernel tests. */
final class TestTensors {

    private TestTensors() {}

    /** {@code check} on {@code cases} random cases drawn from one seeded generator, each in an arena of its own. */
    static void sweep(long seed, int cases, BiConsumer<Arena, SplittableRandom> check) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < cases; i++) {
            try (Arena arena = Arena.ofConfined()) {
                check.accept(arena, random);
            }
        }
    }

    static Tensor random(Arena arena, SplittableRandom random, int... dims) {
        Tensor t = Tensor.allocate(arena, dims);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) (random.nextDouble() * 4 - 2));
        }
        return t;
    }

    static Tensor filled(Arena arena, float value, int... dims) {
        Tensor t = Tensor.allocate(arena, dims);
        t.segment().fill((byte) 0);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, value);
        }
        return t;
    }

    /** Fails unless the two tensors hold the same bits. */
    static void assertBitsEqual(Tensor expected, Tensor actual, String what) {
        long mismatch = expected.segment().mismatch(actual.segment());
        if (mismatch >= 0) {
            long i = mismatch / Float.BYTES;
            fail(what + ": first difference at flat index " + i + ": expected " + expected.get(i) + " but was "
                    + actual.get(i));
        }
    }

    /** Fails unless {@code actual} is within {@code bound} of {@code expected} at flat index {@code at}, or the same bits. */
    static void expectClose(String what, long at, Tensor expected, Tensor actual, double bound) {
        float e = expected.get(at);
        float a = actual.get(at);
        double diff = Math.abs((double) e - a);
        if (!(diff <= bound) && Float.compare(e, a) != 0) {
            fail(what + " at " + at + ": scalar " + e + ", simd " + a + ", |diff| " + diff + " > " + bound);
        }
    }
}
