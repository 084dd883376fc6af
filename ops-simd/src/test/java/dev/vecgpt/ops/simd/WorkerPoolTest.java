package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * Every part runs exactly once, whoever claims it; a failing part's exception reaches the caller; and
 * how many parts a call gets follows the one split policy.
 */
class WorkerPoolTest {

    /**
     * Below its kind's size, on one thread or with memory of a confined arena, a call stays on the
     * caller; otherwise it gets 4 parts per thread, at most one per piece.
     */
    @Test
    void thePartsFollowTheKindsSizeTheThreadsAndTheMemory() {
        assertEquals(1L << 17, WorkerPool.Work.MATMUL.minWork);
        assertEquals(1L << 22, WorkerPool.Work.ATTENTION.minWork);
        assertEquals(1L << 16, WorkerPool.Work.ELEMENTS.minWork);
        try (WorkerPool pool = new WorkerPool(3); WorkerPool one = new WorkerPool(1);
             Arena shared = Arena.ofShared(); Arena confined = Arena.ofConfined()) {
            MemorySegment s = shared.allocate(64);
            MemorySegment c = confined.allocate(64);
            for (WorkerPool.Work kind : WorkerPool.Work.values()) {
                long size = kind.minWork;
                assertEquals(1, pool.parts(kind, size - 1, 1000, s, s, s, s), kind + " below its size");
                assertEquals(12, pool.parts(kind, size, 1000, s, s, null, null), kind + " at its size");
                assertEquals(5, pool.parts(kind, size, 5, s, null, null, null), kind + ", 5 pieces");
                assertEquals(1, pool.parts(kind, size, 1, s, null, null, null), kind + ", 1 piece");
                assertEquals(1, one.parts(kind, size, 1000, s, null, null, null), kind + " on one thread");
                assertEquals(1, pool.parts(kind, size, 1000, s, s, s, c), kind + " with confined memory");
            }
        }
    }

    @Test
    void everyPartRunsExactlyOnce() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int call = 0; call < 2000; call++) {
                int parts = 1 + call % 13;
                AtomicIntegerArray runs = new AtomicIntegerArray(parts);
                pool.run(parts, (part, n) -> runs.incrementAndGet(part));
                for (int i = 0; i < parts; i++) {
                    assertEquals(1, runs.get(i), "call " + call + ", part " + i + " of " + parts);
                }
            }
        }
    }

    /**
     * Back-to-back calls of one reused job (as the matmul reuses its {@code Call}) with part counts
     * that change every call, on more workers than cores, so that workers are often descheduled in
     * the middle of a hand-off: a worker that wakes late for a call the caller already finished must
     * not take a part of the next one with the wrong part count, nor count a part it did not run.
     * Any of that shows as a part run twice, with another count, or not done when the call returns.
     */
    @Test
    void aLateWorkerNeverRunsOrCountsAPartOfTheNextCall() {
        final class Recorder implements WorkerPool.Job {
            AtomicIntegerArray runs;
            int parts;
            volatile String wrongCount;

            @Override
            public void run(int part, int n) {
                if (n != parts) {
                    wrongCount = "part " + part + " ran with " + n + " parts in a call of " + parts;
                }
                runs.incrementAndGet(part);
            }
        }
        Recorder job = new Recorder();
        try (WorkerPool pool = new WorkerPool(2 * Runtime.getRuntime().availableProcessors() + 1)) {
            for (int call = 0; call < 1_000_000; call++) {
                int parts = call % 2 == 0 ? 2 : 2 + call % 31;
                job.runs = new AtomicIntegerArray(parts);
                job.parts = parts;
                pool.run(parts, job);
                for (int i = 0; i < parts; i++) {
                    assertEquals(1, job.runs.get(i), "call " + call + ", part " + i + " of " + parts);
                }
                assertNull(job.wrongCount, "call " + call);
            }
        }
    }

    @Test
    void aPartCountOutsideTheClaimWordIsRefused() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int parts : new int[] {0, -1, WorkerPool.MAX_PARTS + 1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> pool.run(parts, (part, n) -> { }));
                assertEquals("parts is " + parts + ", must be in [1, 65535]", e.getMessage());
            }
        }
    }

    @Test
    void aFailingPartThrowsAtTheCallerAndThePoolGoesOn() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int failing = 0; failing < 8; failing++) {
                int bad = failing;
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.run(8, (part, n) -> {
                    if (part == bad) {
                        throw new IllegalArgumentException("part " + part);
                    }
                }));
                assertEquals("part " + bad, e.getMessage());
            }
            AtomicIntegerArray runs = new AtomicIntegerArray(8);
            pool.run(8, (part, n) -> runs.incrementAndGet(part));
            for (int i = 0; i < 8; i++) {
                assertEquals(1, runs.get(i));
            }
        }
    }
}
