package dev.vecgpt.spark;

import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;

/**
 * The models of this JVM (an executor, or the driver in local mode): each loaded once, lazily, by the
 * first task that needs it, and kept for the life of the JVM, so that every later task and stage reuses
 * it. Weights are memory-mapped, so executors on one host share them through the page cache. Each model
 * keeps a pool of idle sessions: a task borrows one, so no two threads ever share a session, and the
 * 2 × layers × context KV cache is allocated once per concurrent task rather than once per partition.
 */
public final class ModelCache {

    private record Key(String path, WeightFormat format, int threads) {
    }

    /** A loaded model and its idle sessions. */
    static final class Entry {
        final GptModel model;
        private final ConcurrentLinkedDeque<GptSession> idle = new ConcurrentLinkedDeque<>();

        Entry(GptModel model) {
            this.model = model;
        }

        /** A session for this thread only, until the lease is closed. */
        Lease borrow() {
            GptSession session = idle.pollFirst();
            return new Lease(this, session != null ? session : model.newSession());
        }
    }

    /** A borrowed session; closing it gives the session back to the pool. */
    record Lease(Entry entry, GptSession session) implements AutoCloseable {
        @Override
        public void close() {
            entry.idle.offerFirst(session);
        }
    }

    private static final ConcurrentHashMap<Key, Entry> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger BUILDS = new AtomicInteger();

    private ModelCache() {
    }

    /** How many models this JVM has loaded so far. */
    public static int builds() {
        return BUILDS.get();
    }

    /** The model {@code options} name, loading it on first use (other threads asking meanwhile wait for it). */
    static Entry model(VecGptOptions options) {
        Key key = new Key(path(options).toAbsolutePath().toString(), options.format(), threads(options));
        return MODELS.computeIfAbsent(key, k -> {
            try {
                GptModel model = GptModel.load(Path.of(k.path()),
                        ModelOptions.DEFAULT.withFormat(k.format()).withThreads(k.threads()));
                BUILDS.incrementAndGet();
                return new Entry(model);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the vecgpt checkpoint " + k.path() + ": " + e.getMessage(), e);
            }
        });
    }

    private static Path path(VecGptOptions options) {
        return options.checkpoint() != null ? Path.of(options.checkpoint()) : Path.of(SparkFiles.get(options.sparkFile()));
    }

    /** Kernel threads: as asked, else the cores Spark gives one task, so that concurrent tasks do not oversubscribe. */
    private static int threads(VecGptOptions options) {
        if (options.threads() > 0) {
            return options.threads();
        }
        TaskContext task = TaskContext.get();
        return task != null ? task.cpus() : 0; // outside a task (the driver): the kernels' own count
    }
}
