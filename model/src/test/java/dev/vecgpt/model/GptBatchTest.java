package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.WeightFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sequences decoded together give, bit for bit, the tokens and logits of each one generated alone by a
 * {@link GptSession}: whatever joins, leaves or is cancelled around them, whatever their lengths and
 * sampling, for every weight format and thread count.
 */
class GptBatchTest {

    /** Context 40: prompts and continuations run past it, so the sliding window is exercised too. */
    private static final GptConfig SMALL = new GptConfig(211, 40, 64, 4, 2, 0.1, true);

    /** What one generation produced: its tokens and the logits each new token was chosen from. */
    private record Run(int[] tokens, List<float[]> logits, GptBatch.Finish finish) {}

    /** A request of the mix: its prompt, its generation, the step it joins at and the step it is cancelled at (or -1). */
    private record Request(int[] prompt, Generation generation, int joinAt, int cancelAt) {}

    @ParameterizedTest
    @CsvSource({"F32, 1", "F32, 2", "BF16, 2", "Q8_0, 1", "Q8_0, 2"})
    void everySequenceOfManyMixesIsThatSequenceAlone(WeightFormat format, int threads) {
        try (GptModel model = new GptModel(SMALL, 11, ModelOptions.DEFAULT.withFormat(format).withThreads(threads))) {
            SplittableRandom random = new SplittableRandom(format.ordinal() * 10L + threads);
            for (int mix = 0; mix < 6; mix++) {
                int capacity = 1 + random.nextInt(20); // up to 20 rows: every matmul tile (1, 2 and 4 rows) and tails
                List<Request> requests = mix(random, 2 + random.nextInt(24), 12);
                checkMix(model, capacity, requests);
            }
        }
    }

    @Test
    void gpt2SizedSequencesMatchTheirSessions() {
        GptConfig config = new GptConfig(50257, 64, 768, 12, 2, 0.1, false);
        try (GptModel model = new GptModel(config, 123, ModelOptions.DEFAULT.withFormat(WeightFormat.Q8_0))) {
            SplittableRandom random = new SplittableRandom(5);
            List<Request> requests = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Sampling sampling = i % 2 == 0 ? Sampling.greedy() : Sampling.random(0.8f, i).withTopK(40).withTopP(0.9f);
                requests.add(new Request(prompt(random, 1 + random.nextInt(12), config.vocabSize()),
                        Generation.of(4 + random.nextInt(5), sampling), i / 2, -1));
            }
            checkMix(model, 6, requests);
        }
    }

    @Test
    void stopIdsCancellationAndAFailingListenerEndSequencesWithTheirReason() {
        try (GptModel model = new GptModel(SMALL, 3, ModelOptions.DEFAULT); GptBatch batch = model.newBatch(3)) {
            int[] prompt = {5, 6, 7};
            int[] alone = solo(model, prompt, Generation.greedy(6)).tokens();
            int p = prompt.length;
            int j = 1; // the first new token unlike those before it: the stop id ends the sequence there
            while (seen(alone, p, p + j, alone[p + j])) {
                j++;
            }
            int stopId = alone[p + j];
            List<GptBatch.Finish> finishes = new ArrayList<>();
            GptBatch.Listener record = listener(new ArrayList<>(), finishes);
            GptBatch.Sequence stopping = batch.join(prompt, Generation.greedy(6).stopAt(stopId), record);
            GptBatch.Sequence cancelled = batch.join(prompt, Generation.greedy(6), record);
            GptBatch.Sequence failing = batch.join(prompt, Generation.greedy(6), new GptBatch.Listener() {
                public void onToken(GptBatch.Sequence s, int token, float[] logits) {
                    if (s.tokens().length == prompt.length + 2) {
                        throw new IllegalStateException("client gone");
                    }
                }

                public void onFinish(GptBatch.Sequence s, GptBatch.Finish finish) {}
            });
            assertThrows(IllegalStateException.class, () -> batch.join(prompt, Generation.greedy(1), record));
            cancelled.cancel();
            batch.step();
            assertEquals(GptBatch.Finish.CANCELLED, cancelled.finish());
            assertEquals(GptBatch.Finish.CANCELLED, failing.finish());
            assertEquals("client gone", failing.failure().getMessage());
            assertArrayEquals(java.util.Arrays.copyOf(alone, p + 1), cancelled.tokens());
            assertArrayEquals(java.util.Arrays.copyOf(alone, p + 2), failing.tokens());
            for (int step = 1; step < j; step++) {
                assertNull(stopping.finish());
                batch.step();
            }
            assertEquals(GptBatch.Finish.STOP, stopping.finish());
            assertArrayEquals(java.util.Arrays.copyOf(alone, p + j), stopping.tokens());
            assertEquals(0, batch.active());
            assertEquals(List.of(GptBatch.Finish.CANCELLED, GptBatch.Finish.STOP), finishes);
        }
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingRunsAndAClosedBatchRefusesWork() {
        try (GptModel model = new GptModel(SMALL, 3, ModelOptions.DEFAULT)) {
            GptBatch batch = model.newBatch(2);
            GptBatch.Listener ignore = listener(new ArrayList<>(), new ArrayList<>());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> batch.join(new int[] {1, 211}, Generation.greedy(3), ignore));
            assertTrue(e.getMessage().contains("211"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> batch.join(new int[0], Generation.greedy(3), ignore));
            assertThrows(IllegalArgumentException.class,
                    () -> batch.join(new int[] {1}, Generation.greedy(3).stopAt(-1), ignore));
            assertEquals(0, batch.active());
            GptBatch.Sequence none = batch.join(new int[] {1}, Generation.greedy(0), ignore);
            assertEquals(GptBatch.Finish.LENGTH, none.finish());
            GptBatch.Sequence open = batch.join(new int[] {1}, Generation.greedy(5), ignore);
            assertThrows(IllegalStateException.class, model::close);
            batch.close();
            assertEquals(GptBatch.Finish.CANCELLED, open.finish());
            assertThrows(IllegalStateException.class, batch::step);
            batch.close();
        }
    }

    /** Requests with prompts of 1 to 30 tokens, 0 to maxTokens new ones, greedy or sampled, some cancelled. */
    private static List<Request> mix(SplittableRandom random, int count, int maxTokens) {
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Sampling sampling = switch (random.nextInt(4)) {
                case 0 -> Sampling.greedy();
                case 1 -> Sampling.random(0.5f + random.nextFloat(), random.nextLong());
                case 2 -> Sampling.random(1f, random.nextLong()).withTopK(1 + random.nextInt(50));
                default -> Sampling.random(0.9f, random.nextLong()).withTopK(random.nextInt(30)).withTopP(0.5f + random.nextFloat() / 2);
            };
            Generation generation = Generation.of(random.nextInt(maxTokens + 1), sampling);
            if (random.nextInt(4) == 0) {
                generation = generation.stopAt(random.nextInt(SMALL.vocabSize()));
            }
            int cancelAt = random.nextInt(5) == 0 ? random.nextInt(maxTokens) : -1;
            requests.add(new Request(prompt(random, 1 + random.nextInt(30), SMALL.vocabSize()), generation,
                    random.nextInt(2 * maxTokens), cancelAt));
        }
        return requests;
    }

    private static boolean seen(int[] tokens, int from, int to, int token) {
        for (int i = from; i < to; i++) {
            if (tokens[i] == token) {
                return true;
            }
        }
        return false;
    }

    private static int[] prompt(SplittableRandom random, int length, int vocab) {
        return random.ints(length, 0, vocab).toArray();
    }

    /**
     * Runs the requests through one batch (each joining at its step when there is room, else at the next
     * step with room) and compares every one with a session alone, cut where the batch's was cancelled.
     */
    private static void checkMix(GptModel model, int capacity, List<Request> requests) {
        List<List<float[]>> logits = new ArrayList<>();
        List<List<GptBatch.Finish>> finishes = new ArrayList<>();
        List<GptBatch.Sequence> sequences = new ArrayList<>();
        try (GptBatch batch = model.newBatch(capacity)) {
            int next = 0;
            int[] joinedAt = new int[requests.size()];
            for (int step = 0; next < requests.size() || batch.active() > 0; step++) {
                while (next < requests.size() && requests.get(next).joinAt() <= step && batch.active() < capacity) {
                    Request r = requests.get(next++);
                    logits.add(new ArrayList<>());
                    finishes.add(new ArrayList<>());
                    joinedAt[sequences.size()] = step;
                    sequences.add(batch.join(r.prompt(), r.generation(), listener(logits.getLast(), finishes.getLast())));
                }
                for (int i = 0; i < sequences.size(); i++) {
                    if (requests.get(i).cancelAt() == step - joinedAt[i]) {
                        sequences.get(i).cancel();
                    }
                }
                batch.step();
                assertTrue(step < 10_000, "the batch does not finish");
            }
        }
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            GptBatch.Sequence s = sequences.get(i);
            Run alone = solo(model, r.prompt(), r.generation());
            int[] got = s.tokens();
            String what = "request " + i + " of " + requests.size() + " (prompt " + r.prompt().length + ", "
                    + r.generation() + ", capacity " + capacity + ")";
            assertEquals(1, finishes.get(i).size(), what + ": finished once");
            if (s.finish() == GptBatch.Finish.CANCELLED) {
                assertTrue(got.length <= alone.tokens().length, what);
                assertArrayEquals(java.util.Arrays.copyOf(alone.tokens(), got.length), got, what);
            } else {
                assertArrayEquals(alone.tokens(), got, what);
                assertEquals(alone.finish(), s.finish(), what);
            }
            for (int t = 0; t < logits.get(i).size(); t++) {
                assertArrayEquals(alone.logits().get(t), logits.get(i).get(t), what + ", logits of new token " + t);
            }
        }
    }

    /** The request run by a session of its own. */
    private static Run solo(GptModel model, int[] prompt, Generation generation) {
        try (GptSession session = model.newSession()) {
            List<float[]> logits = new ArrayList<>();
            int[] tokens = session.generate(prompt, generation, token -> logits.add(rawLogits(session)));
            boolean full = tokens.length == prompt.length + generation.maxNewTokens();
            return new Run(tokens, logits, full ? GptBatch.Finish.LENGTH : GptBatch.Finish.STOP);
        }
    }

    /**
     * The logits the session's last token was chosen from, as the model gave them ({@code lastLogits()}
     * is the array the sampler then scaled and masked in place).
     */
    private static float[] rawLogits(GptSession session) {
        try {
            java.lang.reflect.Field field = GptSession.class.getDeclaredField("stepLogits");
            field.setAccessible(true);
            return ((dev.vecgpt.core.Tensor) field.get(session)).toArray();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("GptSession keeps its logits elsewhere now: update this test", e);
        }
    }

    private static GptBatch.Listener listener(List<float[]> logits, List<GptBatch.Finish> finishes) {
        return new GptBatch.Listener() {
            @Override
            public void onToken(GptBatch.Sequence sequence, int token, float[] l) {
                logits.add(l.clone());
            }

            @Override
            public void onFinish(GptBatch.Sequence sequence, GptBatch.Finish finish) {
                finishes.add(finish);
            }
        };
    }
}
