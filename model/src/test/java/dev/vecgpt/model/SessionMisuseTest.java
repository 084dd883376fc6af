package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a caller gets for using a session or a model as it may not be used: an error that says so, never wrong tokens. */
class SessionMisuseTest {

    private static final GptConfig TINY = new GptConfig(97, 16, 32, 4, 2, 0.1, true);
    private static final int[] PROMPT = {5, 17, 3};

    @Test
    void aSessionUsedByASecondThreadMeanwhileRefusesIt() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "second-caller"));
        try (GptModel model = new GptModel(TINY, 7); GptSession session = model.newSession()) {
            int[] expected = session.generate(PROMPT, Generation.greedy(6));
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch tried = new CountDownLatch(1);
            Future<int[]> first = other.submit(() -> session.generate(PROMPT, Generation.greedy(6), token -> {
                inside.countDown();
                await(tried);
            }));
            assertTrue(inside.await(30, TimeUnit.SECONDS));
            for (Runnable call : new Runnable[] {
                    () -> session.generate(PROMPT, Generation.greedy(1)),
                    () -> session.forward(new int[][] {PROMPT}, Arena.ofAuto()),
                    session::clearCache,
                    session::close}) {
                IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
                assertTrue(e.getMessage().startsWith("this session is in use by thread \"second-caller\" (id "),
                        e.getMessage());
            }
            tried.countDown();
            assertArrayEquals(expected, first.get(30, TimeUnit.SECONDS), "the first caller's tokens are untouched");
            assertArrayEquals(expected, session.generate(PROMPT, Generation.greedy(6)), "and the session serves again");
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aCallbackCallingItsOwnSessionIsRefused() {
        try (GptModel model = new GptModel(TINY, 7); GptSession session = model.newSession()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> session.generate(PROMPT,
                    Generation.greedy(3), token -> session.generate(PROMPT, Generation.greedy(1))));
            assertTrue(e.getMessage().contains(", this one: a callback of a call cannot call its session"), e.getMessage());
            assertEquals(PROMPT.length + 2, session.generate(PROMPT, Generation.greedy(2)).length);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void tokenCountsHaveALimitAndMemoryGrowsWithTheTokensProduced() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Generation.greedy(Integer.MAX_VALUE));
        assertEquals("maxNewTokens is 2147483647, must be 0 to 2147483638 (a prompt and its new tokens are returned "
                + "in one int[])", e.getMessage());
        try (GptModel model = new GptModel(TINY, 7); GptSession session = model.newSession()) {
            Generation most = Generation.greedy(Generation.MAX_TOKENS - 1);
            e = assertThrows(IllegalArgumentException.class, () -> session.generate(PROMPT, most));
            assertEquals("a prompt of 3 tokens and 2147483638 new ones are more than the 2147483639 tokens one result"
                    + " holds", e.getMessage());
            int[] expected = session.generate(PROMPT, Generation.greedy(40));
            long before = allocatedBytes();
            int[] some = session.generateWhile(PROMPT, Generation.greedy(1_000_000_000), token -> false);
            long allocated = allocatedBytes() - before;
            assertArrayEquals(Arrays.copyOf(expected, PROMPT.length + 1), some);
            // Before, the tokens' array was allocated up front: 4 GB here. Now the prompt's pass and the
            // sampler's (about 1 MB, much of it the interpreter's), not the tokens asked for.
            assertTrue(allocated < 64 << 20, allocated + " bytes allocated for one token");
            // The array grown as tokens come (past the context length: 40 > 16) holds the same tokens.
            int[] count = {0};
            assertArrayEquals(expected, session.generateWhile(PROMPT, Generation.greedy(Generation.MAX_TOKENS - 4),
                    token -> ++count[0] < 40));
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void aClosedModelSaysSo() {
        GptModel model = new GptModel(TINY, 7);
        model.close();
        model.close(); // twice is fine
        for (Runnable call : new Runnable[] {model::newSession, () -> model.parameter("tok_emb.weight", Arena.ofAuto())}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
            assertEquals("the model is closed", e.getMessage());
        }
        assertEquals(TINY, model.config(), "what needs no memory still answers");
    }
}
