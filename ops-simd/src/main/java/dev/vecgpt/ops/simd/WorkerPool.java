package dev.vecgpt.ops.simd;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of daemon threads, made once and reused by every kernel call. The calling thread
 * works too, so {@code threads} counts it: a pool of 2 has one worker.
 *
 * <p>A call's parts are claimed one at a time from a shared counter by the caller and by whichever
 * workers are awake, so a worker the OS has not scheduled yet (on a shared machine) delays
 * nothing: the caller takes its parts. A hand-off allocates nothing: the caller writes the job into
 * fields and bumps a generation number; idle workers spin on it briefly, then yield, then park, so
 * the dozens of sub-millisecond calls of a decode step are picked up within a microsecond.
 */
final class WorkerPool implements AutoCloseable {

    /** One part of a kernel call; {@code part} in [0, parts). Implementations are reused, not made per call. */
    interface Job {
        void run(int part, int parts);
    }

    /**
     * The kinds of work the kernels split, each with the size below which a call runs on the caller's
     * thread alone. A hand-off to a spinning worker costs about a microsecond.
     */
    enum Work {
        /**
         * Multiply-adds of a matmul: 2^17 take 20-40 µs, so every decode-step matmul (768 × 768 is
         * 2^19) is split.
         */
        MATMUL(1L << 17),
        /**
         * Multiply-adds of attention: about a millisecond. Each part sets up its heads (a scratch, a
         * transposition), so a decode step's attention (2^21 at 1024 keys) stays on the caller.
         */
        ATTENTION(1L << 22),
        /**
         * Elements of an element- or row-wise kernel (add, GELU, layer norm, softmax, transposition):
         * a prompt's are split (a 1024-token layer norm is 786K elements, about half a millisecond), a
         * decode step's (768 or 3072) are not.
         */
        ELEMENTS(1L << 16);

        final long minWork;

        Work(long minWork) {
            this.minWork = minWork;
        }
    }

    /** Parts per thread: claimed one at a time, so a thread the OS holds back leaves its share to the others. */
    static final int PARTS_PER_THREAD = 4;

    /**
     * A kernel call cut into parts over its pieces (panels, heads, rows, vectors: whatever one part must
     * not cut). Its arguments sit in the fields of an object its calling thread reuses, so a split call
     * allocates nothing; each piece writes outputs of its own, so the split does not change a bit.
     */
    abstract static class Call implements Job {
        private long pieces;

        /** Pieces {@code [from, to)} of the call. */
        abstract void run(long from, long to);

        /** Drops the call's tensors, so that the thread's call object keeps none of them alive. */
        abstract void clear();

        @Override
        public final void run(int part, int parts) {
            run(pieces * part / parts, pieces * (part + 1) / parts);
        }

        /**
         * Runs the call, whose fields are set, in {@link WorkerPool#parts} parts (on the caller alone
         * when that is 1), then clears it. {@code a} to {@code d} are the memory it touches (null: none).
         */
        final void split(WorkerPool pool, Work kind, long work, long pieces, MemorySegment a, MemorySegment b,
                         MemorySegment c, MemorySegment d) {
            try {
                this.pieces = pieces;
                int parts = pool.parts(kind, work, pieces, a, b, c, d);
                if (parts == 1) {
                    run(0, pieces);
                } else {
                    pool.run(parts, this);
                }
            } finally {
                clear();
            }
        }
    }

    /** How long an idle worker, or a waiting caller, spins before it yields, and yields before it parks. */
    private static final long SPIN_NANOS = 20_000;
    private static final long YIELD_NANOS = 300_000;

    private static final AtomicInteger POOLS = new AtomicInteger();

    /** A thread that owns no arena, to ask whether other threads than the caller may touch a segment. */
    private static final Thread ANY_OTHER = new Thread(() -> { });

    private final int threads;
    private final Worker[] workers;
    /** Held by the one caller whose job the workers run; another caller meanwhile runs its parts itself. */
    private final AtomicBoolean busy = new AtomicBoolean();
    /**
     * The call's generation in the high 32 bits, its part count in the next 16 and the next unclaimed
     * part in the low 16. The count must come from this word, not from a field: a worker that wakes for
     * a call the caller has already finished alone would otherwise read the next call's count, and
     * claim a part of the finished call that does not exist (a part run twice, and counted against
     * the next call, which then returns before its last part is done).
     */
    private final AtomicLong claim = new AtomicLong();
    private final AtomicInteger unfinished = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Thread waiting;
    private volatile Throwable failure;
    /** The running call's job: written before its claim word, read after a claim of it succeeds. */
    private Job job;

    /** Parts of one call at most: its count has 16 bits of the claim word. */
    static final int MAX_PARTS = 0xFFFF;

    WorkerPool(int threads) {
        this.threads = threads;
        int pool = POOLS.incrementAndGet();
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("vecgpt-" + pool + "-worker-" + (i + 1));
        }
    }

    int threads() {
        return threads;
    }

    /** False for memory of a confined arena: only its owner thread may touch it, so it stays on the caller. */
    boolean canShare(MemorySegment segment) {
        return segment == null || segment.isAccessibleBy(ANY_OTHER);
    }

    /**
     * How many parts a call of {@code work} units of {@code kind}, over {@code pieces} pieces, is cut
     * into: 1 (the caller's thread) below the kind's size, on one thread, or when memory it touches
     * ({@code a} to {@code d}, null: none; four parameters, not an array, so a call allocates nothing)
     * is not shareable; otherwise {@link #PARTS_PER_THREAD} per thread, at most one per piece.
     */
    int parts(Work kind, long work, long pieces, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d) {
        if (work < kind.minWork || threads == 1 || pieces < 2
                || !(canShare(a) && canShare(b) && canShare(c) && canShare(d))) {
            return 1;
        }
        return (int) Math.min(Math.min(pieces, (long) threads * PARTS_PER_THREAD), MAX_PARTS);
    }

    /**
     * Runs {@code job.run(i, parts)} for every i in [0, parts), each exactly once, on the caller and
     * the workers. Which thread runs a part must not matter to the result (each part writes its own
     * outputs). When the workers are taken (another thread's call), the caller runs every part itself.
     */
    void run(int parts, Job job) {
        if (parts < 1 || parts > MAX_PARTS) {
            throw new IllegalArgumentException("parts is " + parts + ", must be in [1, " + MAX_PARTS + "]");
        }
        if (parts == 1 || threads == 1) {
            for (int i = 0; i < parts; i++) {
                job.run(i, parts);
            }
            return;
        }
        if (closed) {
            throw new IllegalStateException("these kernels are closed; their worker threads have stopped");
        }
        if (!busy.compareAndSet(false, true)) {
            for (int i = 0; i < parts; i++) {
                job.run(i, parts);
            }
            return;
        }
        try {
            int g = generation + 1;
            this.job = job;
            unfinished.set(parts);
            claim.set(((long) g << 32) | ((long) parts << 16));
            generation = g;
            for (int i = 0; i < Math.min(parts - 1, workers.length); i++) {
                workers[i].wake();
            }
            claimParts(g);
            awaitParts();
            Throwable failed = failure;
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

    /**
     * Runs parts of generation {@code g} until none is left; a part that throws is recorded (the
     * first such exception reaches the caller) and the others still run. A successful claim proves
     * the call is still running (it ends only when every part is claimed and done), so {@code job},
     * read after the claim, is that call's.
     */
    private void claimParts(int g) {
        while (true) {
            long c = claim.get();
            int parts = (int) (c >>> 16) & MAX_PARTS;
            int part = (int) c & MAX_PARTS;
            if ((int) (c >>> 32) != g || part >= parts) {
                return;
            }
            if (claim.compareAndSet(c, c + 1)) {
                try {
                    job.run(part, parts);
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t; // recorded before the part counts as done, so the caller sees it
                    }
                } finally {
                    if (unfinished.decrementAndGet() == 0) {
                        Thread caller = waiting;
                        if (caller != null) {
                            LockSupport.unpark(caller);
                        }
                    }
                }
            }
        }
    }

    /** The caller waits for parts that workers claimed and still run. */
    private void awaitParts() {
        long start = System.nanoTime();
        while (unfinished.get() > 0) {
            long waited = System.nanoTime() - start;
            if (waited < SPIN_NANOS) {
                Thread.onSpinWait();
            } else if (waited < YIELD_NANOS) {
                Thread.yield();
            } else {
                waiting = Thread.currentThread();
                if (unfinished.get() > 0) {
                    LockSupport.park(this);
                }
                waiting = null;
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
        private final Thread thread;
        private volatile boolean parked;

        Worker(String name) {
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** Called after {@link #generation} is bumped: one of the two sees the other (both are volatile). */
        void wake() {
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            int seen = generation;
            while (true) {
                long start = System.nanoTime();
                while (generation == seen && !closed) {
                    long waited = System.nanoTime() - start;
                    if (waited < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else if (waited < YIELD_NANOS) {
                        Thread.yield();
                    } else {
                        parked = true;
                        if (generation == seen && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                if (closed) {
                    return;
                }
                seen = generation;
                claimParts(seen);
            }
        }
    }
}
