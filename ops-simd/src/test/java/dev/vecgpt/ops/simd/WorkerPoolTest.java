package dev.vecgpt.ops.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Every part runs exactly once, whoever claims it; a failing part's exception reaches the caller. */
class WorkerPoolTest {

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
