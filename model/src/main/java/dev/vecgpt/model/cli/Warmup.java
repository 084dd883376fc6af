package dev.vecgpt.model.cli;

import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;

/**
 * Gets every kernel compiled by C2 before the model needs it, by calling each many times on small
 * shapes. Without it a fresh JVM runs its first tokens with the Vector API interpreted or C1-compiled
 * (each vector a heap object), and the first long calls are compiled by on-stack replacement of their
 * loop only: the first 100 tokens came at a seventh of the steady rate. Run on its own thread while
 * the weights are drawn or read, it costs the user no time on a machine with a core to spare.
 *
 * <p>The shapes are GPT-2's in miniature: head size 64 as in every GPT-2, rows of 1 (decode) and 5
 * (prefill: the four-row tiles and the leftover row), a few cached positions. Tensors are in a
 * confined arena, so the calls stay on this thread.
 */
final class Warmup {

    /** Rounds of every kernel: C2 compiles a method after some thousands of calls and loop turns. */
    static final int ROUNDS = 3000;

    private static final int HEADS = 2;
    private static final int HEAD_SIZE = 64;
    private static final int D = HEADS * HEAD_SIZE;
    private static final int HIDDEN = 2 * D;
    private static final int VOCAB = 64;
    private static final int PREFILL = 5;
    private static final int CACHED = 8;

    private Warmup() {}

    /** {@code -Dvecgpt.warmup=false} turns it off, to measure what it is worth. */
    static boolean enabled() {
        return !"false".equals(System.getProperty("vecgpt.warmup"));
    }

    /** Calls every kernel {@code rounds} times, with weights stored as {@code format}. */
    static void run(Kernels kernels, WeightFormat format, int rounds) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor table = ramp(arena, VOCAB, D);
            PackedWeight up = kernels.pack(ramp(arena, HIDDEN, D), format, arena);
            PackedWeight down = kernels.pack(ramp(arena, D, HIDDEN), format, arena);
            Tensor scale = ramp(arena, D);
            Tensor shift = ramp(arena, D);
            Shapes prefill = new Shapes(arena, PREFILL, PREFILL);
            Shapes decode = new Shapes(arena, 1, CACHED);
            int[] ids = {1, 2, 3, 4, 5};
            for (int r = 0; r < rounds; r++) {
                for (Shapes s : new Shapes[] {prefill, decode}) {
                    kernels.gather(table, java.util.Arrays.copyOf(ids, s.rows), s.x);
                    kernels.layerNorm(s.x, scale, shift, 1e-5f, s.normed);
                    kernels.attentionScores(s.normed, s.keys, HEADS, s.scores);
                    kernels.softmax(s.scores, s.scores);
                    kernels.attentionValues(s.scores, s.keys, HEADS, s.context);
                    kernels.add(s.x, s.context, s.x);
                    kernels.matmul(s.x, up, s.hidden);
                    kernels.gelu(s.hidden, s.hidden);
                    kernels.matmul(s.hidden, down, s.x);
                }
            }
        }
    }

    /** The activations of one step of {@code rows} positions over {@code positions} keys. */
    private static final class Shapes {
        final int rows;
        final Tensor x;
        final Tensor normed;
        final Tensor keys;
        final Tensor scores;
        final Tensor context;
        final Tensor hidden;

        Shapes(Arena arena, int rows, int positions) {
            this.rows = rows;
            x = Tensor.allocate(arena, 1, rows, D);
            normed = Tensor.allocate(arena, 1, rows, D);
            keys = ramp(arena, 1, positions, D);
            scores = Tensor.allocate(arena, 1, HEADS, rows, positions);
            context = Tensor.allocate(arena, 1, rows, D);
            hidden = Tensor.allocate(arena, 1, rows, HIDDEN);
        }
    }

    /** Small, varied, finite values. */
    private static Tensor ramp(Arena arena, int... dims) {
        Tensor t = Tensor.allocate(arena, dims);
        for (long i = 0; i < t.size(); i++) {
            t.set(i, (float) ((i * 37 % 101) - 50) / 500f);
        }
        return t;
    }
}
