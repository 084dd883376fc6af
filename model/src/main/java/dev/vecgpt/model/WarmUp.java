package dev.vecgpt.model;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import dev.vecgpt.core.WeightFormat;
import java.lang.foreign.Arena;

/**
 * Gets the kernels and the generation loop compiled by C2 before the real model needs them
 * ({@link ModelOptions#withWarmUp}). Without it a fresh JVM runs its first tokens with the Vector API
 * interpreted or C1-compiled (each vector a heap object) and its first long calls compiled by on-stack
 * replacement of one loop: the first 100 tokens came at a seventh of the steady rate. Run on its own
 * thread while the weights are drawn or read, it costs little on a machine with a core to spare.
 *
 * <p>What it runs decides what C2 compiles: a branch never taken here becomes an uncommon trap, and
 * taking it later throws the compiled code away. So it runs the real code, on the real model's kernels,
 * on a GPT-2 in miniature (one block, head size 64 as in every GPT-2, a vocabulary that is not a
 * multiple of the matmul's panels, 1 to 80 cached positions: past 64, where a decode step's scores take
 * four vectors of keys at a time), with prompts of {@link #PROMPTS} lengths: a short one (two-row and
 * one-row tiles) and one past 16 rows (where the matmul takes its four-row tile, which C2 needs seconds
 * to compile), and matmuls of the real model's width at those row counts, which the kernels split over
 * their threads as they split the real model's, called a few hundred times.
 */
final class WarmUp {

    /** Generations of the miniature model; the launcher has C2 compile vecgpt's methods after some hundred calls. */
    static final int ROUNDS = Integer.getInteger("vecgpt.warmup.rounds", 8);

    /**
     * Prompt lengths: 5 (two-row tiles and one row) and 23 (four-row tiles from 16 rows on, then a two-row
     * and a one-row tile): a first prompt of 16 tokens or more otherwise waited 8 to 16 s for C2.
     */
    static final int[] PROMPTS = {5, 23};
    static final int NEW_TOKENS = 75;
    /**
     * Prompt-only passes per round and length besides the generation: a user's prompt takes other
     * tiles than the single-token steps, and with one prompt per round C2 could still be compiling them
     * (the two-row tile takes it 0.3 s) when the real prompt came, which then took 0.2 s instead of 0.02.
     */
    private static final int PROMPT_PASSES = 8;
    /**
     * Calls of each split matmul per round, at most: the hand-off to the kernels' threads (the
     * workers' loop, the claiming of parts) runs once per call, and at a few dozen calls it would
     * still be interpreted during the first 50 tokens, a fifth slower.
     */
    private static final int SPLIT_CALLS = 128;
    /** ... and at most this long per round, for a machine where they are slow. */
    private static final long SPLIT_NANOS = 50_000_000L;

    private WarmUp() {}

    /** The miniature of {@code config}: the same bias settings, small widths, 301 tokens, 128 positions. */
    static GptConfig miniature(GptConfig config) {
        return new GptConfig(301, 128, 128, 2, 1, config.dropRate(), config.qkvBias());
    }

    /**
     * Runs {@code rounds} generations of the miniature of {@code config} and the split matmuls on
     * {@code kernels}, calling {@code onRound} after each round.
     */
    static void run(Kernels kernels, GptConfig config, WeightFormat format, int rounds, Runnable onRound) {
        GptConfig mini = miniature(config);
        int[][] prompts = new int[PROMPTS.length][];
        for (int p = 0; p < PROMPTS.length; p++) {
            prompts[p] = new int[PROMPTS[p]];
            for (int i = 0; i < PROMPTS[p]; i++) {
                prompts[p][i] = 1 + 37 * i % (mini.vocabSize() - 1);
            }
        }
        try (GptModel model = new GptModel(mini, 1, ModelOptions.DEFAULT.withKernels(kernels).withFormat(format));
             GptSession session = model.newSession();
             Arena arena = Arena.ofShared()) {
            // The real model's width, and one output more: a partial last panel, as the output head's.
            int k = config.embDim();
            PackedWeight w = kernels.pack(Tensor.allocate(arena, k + 1, k), format, arena);
            int[] splitRows = new int[1 + PROMPTS.length]; // 1 (decode) and each prompt's length
            splitRows[0] = 1;
            System.arraycopy(PROMPTS, 0, splitRows, 1, PROMPTS.length);
            Tensor[] xs = new Tensor[splitRows.length];
            Tensor[] ys = new Tensor[splitRows.length];
            for (int i = 0; i < splitRows.length; i++) {
                xs[i] = Tensor.allocate(arena, splitRows[i], k);
                ys[i] = Tensor.allocate(arena, splitRows[i], k + 1);
            }
            for (int r = 0; r < rounds; r++) {
                for (int[] prompt : prompts) {
                    for (int p = 0; p < PROMPT_PASSES; p++) {
                        session.clearCache(); // a prompt's pass each time, not one step of a reused prompt
                        session.generate(prompt, Generation.greedy(1));
                    }
                }
                session.clearCache();
                session.generate(prompts[0], Generation.greedy(NEW_TOKENS));
                // Once the small calls have the matmul compiled: interpreted, one call of this size takes 0.1 s.
                long end = System.nanoTime() + SPLIT_NANOS;
                for (int c = 0; r >= rounds / 2 && c < SPLIT_CALLS && System.nanoTime() < end; c++) {
                    for (int i = 0; i < xs.length; i++) {
                        kernels.matmul(xs[i], w, ys[i]);
                    }
                }
                onRound.run();
            }
        }
    }
}
