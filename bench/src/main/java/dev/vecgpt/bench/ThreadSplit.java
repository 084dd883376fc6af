package dev.vecgpt.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * The machine baselines' way of using all cores: part 0 on the calling thread, the other parts on
 * daemon workers made once per trial, and the parts' results added up.
 */
final class ThreadSplit implements AutoCloseable {

    private final int threads;
    private final ExecutorService workers;

    ThreadSplit(int threads, String name) {
        this.threads = threads;
        this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** The sum of {@code part.apply(i)} for i in [0, threads). */
    float sum(IntFunction<Float> part) throws InterruptedException, ExecutionException {
        List<Future<Float>> others = new ArrayList<>(threads - 1);
        for (int i = 1; i < threads; i++) {
            int index = i;
            others.add(workers.submit(() -> part.apply(index)));
        }
        float total = part.apply(0);
        for (Future<Float> f : others) {
            total += f.get();
        }
        return total;
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
