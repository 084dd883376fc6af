package dev.vecgpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecgpt.core.GptConfig;
import dev.vecgpt.core.KernelProvider;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** What a session costs, and that opening and closing sessions and models leaves nothing behind. */
public class SessionLifecycleTest {

    private static final GptConfig TINY = new GptConfig(97, 16, 32, 4, 2, 0.1, true);

    /**
     * Native memory the JVM has malloc'ed for "Other" uses, which is where FFM arenas allocate, in KB, as
     * Native Memory Tracking counts it (the tests run with {@code -XX:NativeMemoryTracking=summary}).
     */
    public static long nativeKb() {
        try {
            String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary", "scale=KB"}}, new String[] {String[].class.getName()});
            Matcher other = Pattern.compile("malloc=(\\d+)KB tag=Other").matcher(summary);
            assertTrue(other.find(), "no NMT 'Other' line in " + summary);
            return Long.parseLong(other.group(1));
        } catch (JMException e) {
            throw new AssertionError("Native Memory Tracking is off? " + e, e);
        }
    }

    @Test
    void aSessionHoldsWhatTheReadmeSays() {
        try (GptModel model = new GptModel(GptConfig.GPT_CONFIG_124M, 123)) {
            long before = nativeKb();
            try (GptSession session = model.newSession()) {
                long usedKb = nativeKb() - before;
                long stated = GptSession.bytes(GptConfig.GPT_CONFIG_124M);
                assertEquals(stated, session.nativeBytes());
                // Each of the ~30 allocations may be padded by up to 63 bytes for its 64-byte alignment.
                assertTrue(Math.abs(usedKb * 1024 - stated) <= 4096, "measured " + usedKb + " KB, stated " + stated + " B");
                // The README's figure for GPT-2 124M: keys (transposed, rows padded from 1024 to 1040 floats)
                // and values of 12 layers x 1024 x 768 floats, one step's activations (11 x 768 floats: attention
                // needs no scores tensor) and the 50257 logits.
                assertEquals(12L * 768 * 1040 * 4 + 12L * 1024 * 768 * 4 + 33_792 + 201_028, stated);
            }
            assertEquals(before, nativeKb(), "closing a session frees all it held");
        }
    }

    @Test
    void tenThousandSessionsLeaveThreadsAndMemoryWhereTheyWere() {
        try (GptModel model = new GptModel(TINY, 7)) {
            int[] expected;
            try (GptSession first = model.newSession()) {
                expected = first.generate(new int[] {5, 17, 3}, Generation.greedy(2));
            }
            long memory = nativeKb();
            long threads = vecgptThreads();
            for (int i = 0; i < 10_000; i++) {
                try (GptSession session = model.newSession()) {
                    if (i % 1000 == 0) {
                        assertArrayEquals(expected, session.generate(new int[] {5, 17, 3}, Generation.greedy(2)));
                    }
                }
            }
            // Not more: a session that leaked would add its KV cache 10,000 times. It may be less, when
            // the garbage collector frees the kernels' outgrown scratch of earlier tests meanwhile.
            long after = nativeKb();
            assertTrue(after <= memory, "native memory went from " + memory + " KB to " + after + " KB");
            assertEquals(threads, vecgptThreads());
        }
    }

    @Test
    void aModelWithOpenSessionsRefusesToCloseAndAClosedSessionRefusesWork() {
        GptModel model = new GptModel(TINY, 7);
        GptSession session = model.newSession();
        IllegalStateException e = assertThrows(IllegalStateException.class, model::close);
        assertTrue(e.getMessage().contains("1 session(s)"), e.getMessage());
        session.close();
        session.close(); // twice is fine
        assertThrows(IllegalStateException.class, () -> session.generate(new int[] {1}, Generation.greedy(1)));
        model.close();
    }

    /**
     * Sessions dropped without {@code close()}: the cleaner frees each one's memory once the garbage
     * collector finds it, logs the first leak, and the model closes after. Before, 100 dropped 124M
     * sessions held 8.1 GB after a GC and the model refused to close for ever.
     */
    @Test
    void droppedSessionsAreFreedByTheGarbageCollectorAndLoggedOnce() throws InterruptedException {
        List<String> logged = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger(GptSession.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.add(record.getLevel() + " " + record.getMessage());
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        log.addHandler(handler);
        GptConfig config = new GptConfig(97, 512, 64, 4, 4, 0.1, true); // a 1 MB KV cache per session
        GptModel model = new GptModel(config, 7);
        try {
            boolean loggedBefore = GptSession.LEAK_LOGGED.get(); // by a test that dropped one earlier
            long memory = nativeKb();
            for (int i = 0; i < 100; i++) {
                model.newSession().generate(new int[] {5, 17, 3}, Generation.greedy(2)); // dropped open
            }
            assertEquals(100, model.openSessions());
            assertTrue(nativeKb() - memory >= 100 * GptSession.bytes(config) / 1024, "100 sessions' memory held");
            for (int i = 0; i < 100 && model.openSessions() > 0; i++) {
                System.gc();
                Thread.sleep(50);
            }
            assertEquals(0, model.openSessions(), "every dropped session freed");
            long after = nativeKb();
            assertTrue(after - memory < GptSession.bytes(config) / 1024, "native memory went from " + memory
                    + " KB to " + after + " KB");
            assertEquals(loggedBefore ? 0 : 1, logged.size(), "logged once per JVM: " + logged);
            if (!loggedBefore) {
                assertTrue(logged.getFirst().startsWith("WARNING a GptSession was dropped without close()"),
                        logged.getFirst());
            }
        } finally {
            log.removeHandler(handler);
            model.close(); // no longer refused
        }
    }

    /**
     * Live threads of vecgpt's worker pools (named "vecgpt-…"): the JDK starts threads of its own on
     * first use (the cleaner that frees automatic arenas), which are not ours to count.
     */
    private static long vecgptThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("vecgpt-")).count();
    }

    @Test
    void aModelWithItsOwnThreadCountReleasesItsThreads() throws InterruptedException {
        KernelProvider.kernels(); // the JVM-wide kernels' threads live with the JVM: made before counting
        long before = vecgptThreads();
        for (int i = 0; i < 3; i++) {
            try (GptModel model = new GptModel(TINY, 7, ModelOptions.DEFAULT.withThreads(3));
                 GptSession session = model.newSession()) {
                assertEquals(3, model.kernels().threads());
                session.generate(new int[] {5, 17, 3}, Generation.greedy(2));
            }
        }
        for (int i = 0; i < 200 && vecgptThreads() != before; i++) {
            Thread.sleep(10);
        }
        assertEquals(before, vecgptThreads());
    }
}
