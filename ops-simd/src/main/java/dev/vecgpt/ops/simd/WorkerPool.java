package dev.vecgpt.ops.simd;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon threads, made once and reused by every kernel call. The calling thread
 * runs one part itself, so {@code threads} counts it: a pool of 2 has one worker.
 *
 * <p>A hand-off allocates nothing: the caller writes the job into fields and bumps each worker's
 * sequence number; a worker spins for a short while on that number before it parks, so calls that
 * come back to back (a decode step makes dozens of sub-millisecond ones) are picked up in well under
 * a microsecond instead of the tens of microseconds an unpark costs.
 */
final class WorkerPool implements AutoCloseable {

    /** One part of a kernel call; {@code part} in [0, parts). Implementations are reused, not made per call. */
    interface Job {
        void run(int part, int parts);
    }

    /** How long an idle worker, or a waiting caller, spins before it parks. */
    private static final long SPIN_NANOS = 200_000;

    private static final AtomicInteger POOLS = new AtomicInteger();

    /** A thread that owns no arena, to ask whether other threads than the caller may touch a segment. */
    private static final Thread ANY_OTHER = new Thread(() -> { });

    private final int threads;
    private final Worker[] workers;
    /** Held by the one caller whose job the workers run; another caller meanwhile runs its parts itself. */
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;
    private volatile Thread waiting;
    private volatile Throwable failure;
    /** Written by the caller before the volatile write of a worker's sequence number publishes them. */
    private Job job;
    private int parts;

    WorkerPool(int threads) {
        this.threads = threads;
        int pool = POOLS.incrementAndGet();
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i, "vecgpt-" + pool + "-worker-" + (i + 1));
        }
    }

    int threads() {
        return threads;
    }

    /** False for memory of a confined arena: only its owner thread may touch it, so it stays on the caller. */
    boolean canShare(MemorySegment segment) {
        return segment.isAccessibleBy(ANY_OTHER);
    }

    /**
     * Runs {@code job.run(i, parts)} for every i in [0, parts), part {@code parts - 1} on the caller.
     * When the workers are taken (another thread's call), the caller runs every part itself: the same
     * results, since each part's outputs do not depend on who computes them.
     */
    void run(int parts, Job job) {
        if (parts == 1) {
            job.run(0, 1);
            return;
        }
        if (closed) {
            throw new IllegalStateException("these kernels are closed; their worker threads have stopped");
        }
        if (parts > threads || !busy.compareAndSet(false, true)) {
            for (int i = 0; i < parts; i++) {
                job.run(i, parts);
            }
            return;
        }
        try {
            this.job = job;
            this.parts = parts;
            pending.set(parts - 1);
            for (int i = 0; i < parts - 1; i++) {
                workers[i].start();
            }
            Throwable own = null;
            try {
                job.run(parts - 1, parts);
            } catch (Throwable t) {
                own = t;
            }
            awaitWorkers();
            Throwable failed = own != null ? own : failure;
            failure = null;
            this.job = null;
            if (failed instanceof RuntimeException r) {
                throw r;
            }
            if (failed instanceof Error e) {
                throw e;
            }
            if (failed != null) {
                throw new IllegalStateException(failed);
            }
        } finally {
            busy.set(false);
        }
    }

    private void awaitWorkers() {
        long start = System.nanoTime();
        while (pending.get() > 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            waiting = Thread.currentThread();
            if (pending.get() > 0) {
                LockSupport.park(this);
            }
            waiting = null;
        }
    }

    private void finished() {
        if (pending.decrementAndGet() == 0) {
            Thread caller = waiting;
            if (caller != null) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Stops the worker threads and waits for them to end; later multi-threaded calls throw. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
        boolean interrupted = false;
        for (Worker w : workers) {
            while (true) {
                try {
                    w.thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Worker implements Runnable {
        private final int index;
        private final Thread thread;
        /** Bumped by the caller for each job; the worker runs one job per increment. */
        private volatile long sequence;
        private volatile boolean parked;

        Worker(int index, String name) {
            this.index = index;
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        void start() {
            sequence++;
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long start = System.nanoTime();
                while (sequence == seen && !closed) {
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        // Park only after announcing it: the caller bumps sequence then reads parked,
                        // this thread sets parked then reads sequence, so one of the two sees the other.
                        parked = true;
                        if (sequence == seen && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                if (closed) {
                    return;
                }
                seen = sequence;
                try {
                    job.run(index, parts);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    finished();
                }
            }
        }
    }
}
