package dev.vecgpt.model.serve;

import dev.vecgpt.model.GptBatch;
import dev.vecgpt.model.GptModel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread that runs the model: it takes queued {@link Job}s into a {@link GptBatch} while there
 * is room (each prompt's pass runs between two steps) and steps the batch while any sequence is in it.
 * A full queue refuses new jobs (429); {@link #drain()} refuses them all (503) and lets the rest finish;
 * {@link #close()} cancels what is left and frees the batch.
 */
final class Scheduler implements AutoCloseable {

    private final GptBatch batch;
    private final BlockingQueue<Job> queue;
    private final Metrics metrics;
    private final Thread thread;
    private volatile int active;
    /** Jobs submitted and not yet ended (queued, being joined, or in the batch). */
    private final AtomicInteger unfinished = new AtomicInteger();
    private volatile boolean draining;
    private volatile boolean stopping;
    private volatile Throwable crash;

    Scheduler(GptModel model, int maxBatch, int maxQueue, Metrics metrics) {
        this.batch = model.newBatch(maxBatch);
        this.queue = new ArrayBlockingQueue<>(maxQueue);
        this.metrics = metrics;
        this.thread = Thread.ofPlatform().name("vecgpt-decode").start(this::run);
    }

    /**
     * Queues a job for the batch.
     *
     * @throws ApiError 429 when the queue is full, 503 when the server is stopping or the model failed
     */
    void submit(Job job) {
        if (draining || crash != null) {
            throw new ApiError(503, "server_error", crash != null ? "the model failed: " + crash
                    : "the server is shutting down", null, "unavailable");
        }
        unfinished.incrementAndGet();
        job.whenEnded(unfinished::decrementAndGet);
        if (!queue.offer(job)) {
            unfinished.decrementAndGet();
            throw new ApiError(429, "rate_limit_error", "the server is busy: " + queue.size()
                    + " requests are waiting already; retry later", null, "queue_full");
        }
    }

    int active() {
        return active;
    }

    int queued() {
        return queue.size();
    }

    int capacity() {
        return batch.capacity();
    }

    int queueCapacity() {
        return queue.size() + queue.remainingCapacity();
    }

    /** True when nothing is queued or decoding. */
    boolean idle() {
        return unfinished.get() == 0;
    }

    private void run() {
        try {
            while (!stopping) {
                admit();
                if (batch.active() == 0) {
                    Job next = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        join(next);
                    }
                } else {
                    batch.step();
                }
                active = batch.active();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            crash = t;
        } finally {
            ApiError gone = new ApiError(503, "server_error", crash != null ? "the model failed: " + crash
                    : "the server stopped before this completion ended", null, "unavailable");
            for (Job job = queue.poll(); job != null; job = queue.poll()) {
                job.fail(gone);
            }
            batch.close(); // every sequence still in it ends as cancelled
            active = 0;
        }
    }

    private void admit() {
        while (batch.active() < batch.capacity()) {
            Job next = queue.poll();
            if (next == null) {
                return;
            }
            join(next);
        }
    }

    private void join(Job job) {
        if (job.isCancelled()) {
            job.onFinish(null, GptBatch.Finish.CANCELLED);
            return;
        }
        try {
            job.joined(batch.join(job.prompt, job.generation, job));
        } catch (IllegalArgumentException e) {
            job.fail(ApiError.invalid(e.getMessage(), "prompt"));
        }
        active = batch.active();
    }

    /** New jobs are refused from now on (503); queued and running ones go on. */
    void drain() {
        draining = true;
    }

    /** Cancels every queued and running job (their clients get an error or a cut stream) and frees the batch. */
    @Override
    public void close() {
        draining = true;
        stopping = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
