package dev.vecgpt.ops.simd;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed set of daemon threads, made once and reused by every kernel call. The calling thread
 * runs one part itself, so {@code threads} counts it: a pool of 2 has one worker.
 */
final class WorkerPool {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final ExecutorService workers;

    WorkerPool(int threads) {
        this.threads = threads;
        int pool = POOLS.incrementAndGet();
        AtomicInteger worker = new AtomicInteger();
        this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, task -> {
            Thread t = new Thread(task, "vecgpt-" + pool + "-worker-" + worker.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Lets the workers finish what they run, then ends them and waits until they have ended. */
    void close() {
        if (workers != null) {
            workers.close();
        }
    }

    int threads() {
        return threads;
    }

    /** A thread that owns no arena, to ask whether other threads than the caller may touch a segment. */
    private static final Thread ANY_OTHER = new Thread(() -> { });

    /** False for memory of a confined arena: only its owner thread may touch it, so it stays on the caller. */
    boolean canShare(MemorySegment segment) {
        return segment.isAccessibleBy(ANY_OTHER);
    }

    /** Runs {@code part.accept(i)} for every i in [0, parts), part {@code parts - 1} on the caller. */
    void run(int parts, IntConsumer part) {
        if (parts == 1) {
            part.accept(0);
            return;
        }
        List<Future<?>> running = new ArrayList<>(parts - 1);
        for (int i = 0; i < parts - 1; i++) {
            int index = i;
            running.add(workers.submit(() -> part.accept(index)));
        }
        part.accept(parts - 1);
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a kernel's worker", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
    }
}
