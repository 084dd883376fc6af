package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import dev.vecgpt.core.Kernels;
import dev.vecgpt.core.PackedWeight;
import dev.vecgpt.core.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session keeps the keys and values of its last generation: a prompt that starts with the same tokens
 * reads only the rest. The tokens and the logits are those of a session that reads the whole prompt.
 */
class PromptReuseTest {

    /** Context 24, so that a prompt and its continuation fill it. */
    private static final GptConfig TINY = new GptConfig(97, 24, 64, 4, 2, 0.1, true);

    /** Matmul rows of a decode step: 6 packed matmuls in each of the 2 blocks, then out_head, on 1 row. */
    private static final long STEP = 2 * 6 + 1;

    /**
     * Matmul rows of a prompt pass over {@code positions} new positions: the first block's 6 matmuls on
     * all of them, the last block's key and value projections on all and its other 4 on the last only,
     * then out_head on the last.
     */
    private static long promptPass(int positions) {
        return 6L * positions + 2L * positions + 4 + 1;
    }

    /** Rows of x multiplied by packed weights: how many positions the passes read. */
    private final AtomicLong rows = new AtomicLong();
    private GptModel model;
    private GptSession reusing;
    private GptSession fresh;

    @BeforeEach
    void build() {
        Kernels counting = counting(KernelProvider.kernels());
        model = new GptModel(TINY, 7, ModelOptions.DEFAULT.withKernels(counting));
        reusing = model.newSession();
        fresh = model.newSession();
    }

    @AfterEach
    void free() {
        reusing.close();
        fresh.close();
        model.close();
    }

    private Kernels counting(Kernels delegate) {
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("matmul") && args[1] instanceof PackedWeight w) {
                        rows.addAndGet(((Tensor) args[0]).size() / w.shape().dim(1));
                    }
                    try {
                        return method.invoke(delegate, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Generates with the reusing session, then with the fresh one after clearing its cache: same tokens and logits. */
    private int[] generateBoth(int[] prompt, Generation generation) {
        int[] reused = reusing.generate(prompt, generation);
        float[] reusedLogits = reusing.lastLogits();
        fresh.clearCache();
        int[] whole = fresh.generate(prompt, generation);
        assertArrayEquals(whole, reused, "tokens after " + Arrays.toString(prompt));
        assertArrayEquals(fresh.lastLogits(), reusedLogits, "last logits after " + Arrays.toString(prompt));
        return reused;
    }

    private long rowsOf(Runnable pass) {
        long before = rows.get();
        pass.run();
        return rows.get() - before;
    }

    @Test
    void aContinuedConversationReadsOnlyItsNewTokens() {
        int[] prompt = new SplittableRandom(3).ints(6, 0, 97).toArray();
        int[] first = generateBoth(prompt, Generation.greedy(4));
        // The reply's last token was never read; the next turn adds it and three more.
        int[] next = Arrays.copyOf(first, first.length + 3);
        next[first.length] = 11;
        next[first.length + 1] = 42;
        next[first.length + 2] = 5;
        generateBoth(next, Generation.greedy(3));
        reusing.generate(first, Generation.greedy(1)); // the cache now holds first's 10 positions
        long read = rowsOf(() -> reusing.generate(next, Generation.greedy(3)));
        assertEquals(promptPass(3) + 2 * STEP, read, "the 3 new positions, then 2 decode steps");
        assertEquals(STEP, rowsOf(() -> reusing.generate(next, Generation.greedy(1))), "next again: its last position");
    }

    @Test
    void aChangedPromptReusesOnlyTheCommonStart() {
        SplittableRandom random = new SplittableRandom(4);
        int[] prompt = random.ints(9, 0, 97).toArray();
        generateBoth(prompt, Generation.greedy(3));
        int[] changed = prompt.clone();
        changed[5] = (changed[5] + 1) % 97;
        generateBoth(changed, Generation.greedy(3));
        generateBoth(random.ints(7, 0, 97).toArray(), Generation.greedy(2)); // nothing in common, most likely
        generateBoth(prompt, Generation.of(5, Sampling.random(1.3f, 9).withTopK(20)));
        generateBoth(prompt, Generation.of(5, Sampling.random(1.3f, 9).withTopK(20))); // the same prompt again
        generateBoth(Arrays.copyOf(prompt, 4), Generation.greedy(2)); // a prompt the cache holds in full
        generateBoth(Arrays.copyOf(prompt, 1), Generation.greedy(2));
    }

    @Test
    void promptsAndGenerationsPastTheContextLengthStillMatch() {
        SplittableRandom random = new SplittableRandom(5);
        int[] prompt = random.ints(20, 0, 97).toArray();
        int[] filled = generateBoth(prompt, Generation.greedy(10)); // crosses the context (24): the window slides
        generateBoth(filled, Generation.greedy(3)); // longer than the context from the start
        generateBoth(Arrays.copyOf(filled, 23), Generation.greedy(1)); // ends just below the context
        generateBoth(Arrays.copyOf(filled, 24), Generation.greedy(2));
    }

    @Test
    void aGenerationStoppedByAnExceptionLeavesAUsableCache() {
        int[] prompt = new SplittableRandom(6).ints(8, 0, 97).toArray();
        int[] seen = new int[1];
        assertThrows(IllegalStateException.class, () -> reusing.generate(prompt, Generation.greedy(6), token -> {
            if (++seen[0] == 3) {
                throw new IllegalStateException("the caller gives up");
            }
        }));
        generateBoth(prompt, Generation.greedy(6));
    }

    @Test
    void clearingTheCacheMakesTheNextPromptReadInFull() {
        int[] prompt = {5, 17, 3, 96, 40};
        reusing.generate(prompt, Generation.greedy(2));
        long again = rowsOf(() -> reusing.generate(prompt, Generation.greedy(1)));
        reusing.clearCache();
        long cleared = rowsOf(() -> reusing.generate(prompt, Generation.greedy(1)));
        assertEquals(STEP, again, "only the last position read");
        assertEquals(promptPass(prompt.length), cleared, "every position read");
    }
}
