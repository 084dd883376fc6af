package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One model, many sessions at once on many threads: each gets exactly what it gets alone. */
class SharedModelTest {

    private static final int[][] PROMPTS = {
            {15496, 11, 314, 716}, {6109, 3626, 6100, 345}, {6109, 1110, 6622, 257}, {464, 2068, 7586, 21831, 18045},
            {40, 1101}, {818, 262, 3726}, {32, 3290, 318, 257, 1310}, {1212}};
    private static final int NEW_TOKENS = 6;

    private static GptModel model;

    @BeforeAll
    static void build() {
        model = new GptModel(GptConfig.GPT_CONFIG_124M, 123);
    }

    @AfterAll
    static void free() {
        model.close();
    }

    /** What one session produces from {@code prompt}: its tokens, then the logits of a pass over them. */
    private record Result(int[] tokens, float[] logits) {}

    private static Result run(int[] prompt) {
        try (GptSession session = model.newSession(); Arena arena = Arena.ofShared()) {
            int[] tokens = session.generate(prompt, Generation.greedy(NEW_TOKENS));
            Tensor logits = session.forward(new int[][] {tokens}, arena);
            return new Result(tokens, logits.toArray());
        }
    }

    @Test
    void fourSessionsOnFourThreadsEqualTheSameRunsOneAfterAnother() throws Exception {
        concurrentRunsEqualSequentialOnes(4);
    }

    @Test
    void eightSessionsOnTwoCoresEqualTheSameRunsOneAfterAnother() throws Exception {
        concurrentRunsEqualSequentialOnes(8);
    }

    private static void concurrentRunsEqualSequentialOnes(int sessions) throws Exception {
        List<Result> alone = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            alone.add(run(PROMPTS[i]));
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Result>> together = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(sessions)) {
            for (int i = 0; i < sessions; i++) {
                int[] prompt = PROMPTS[i];
                together.add(threads.submit(() -> {
                    start.await(); // all at once
                    return run(prompt);
                }));
            }
            start.countDown();
            for (int i = 0; i < sessions; i++) {
                Result r = together.get(i).get();
                assertArrayEquals(alone.get(i).tokens(), r.tokens(), "tokens of prompt " + i);
                assertEquals(PROMPTS[i].length + NEW_TOKENS, r.tokens().length);
                assertArrayEquals(alone.get(i).logits(), r.logits(), "logits of prompt " + i); // exact float equality
            }
        }
    }
}
