package dev.vecgpt.model.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A progress bar on standard error for work that takes more than a second, drawn only when standard
 * error is a terminal: on Linux when {@code /proc/self/fd/2} is a tty device, elsewhere when the JVM has
 * an interactive console ({@code Console.isTerminal()}, which looks at standard input and output, an
 * approximation). {@code -Dvecgpt.progress=always|never} overrides the guess.
 */
final class Progress {

    /** Work shorter than this shows nothing. */
    private static final long DELAY_NANOS = 1_000_000_000L;
    private static final long REDRAW_MILLIS = 100;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;

    Progress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /** A progress bar on {@code err} if standard error is a terminal. */
    static Progress onTerminal(PrintWriter err) {
        return new Progress(err, stderrIsTerminal());
    }

    static boolean stderrIsTerminal() {
        String forced = System.getProperty("vecgpt.progress", "auto");
        if (!forced.equals("auto")) {
            return forced.equals("always");
        }
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd2)) {
            try {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        Console console = System.console();
        return console != null && console.isTerminal();
    }

    /** Starts a task of {@code total} steps (0: unknown, the bar then shows the time only). */
    Task start(String label, int total) {
        return new Task(label, total);
    }

    /** One piece of work; {@link #close()} ends it and clears its bar. */
    final class Task implements AutoCloseable {

        private final String label;
        private volatile int total;
        private final long start = System.nanoTime();
        private final AtomicInteger done = new AtomicInteger();
        private final Thread painter;
        private volatile boolean drawn;

        private Task(String label, int total) {
            this.label = label;
            this.total = total;
            painter = enabled ? Thread.ofPlatform().daemon().name("vecgpt-progress").start(this::paint) : null;
        }

        /** One more step done. */
        void step() {
            done.incrementAndGet();
        }

        /** {@code done} of {@code total} steps (a total known only once the work has begun, as a model build's). */
        void update(int done, int total) {
            this.total = total;
            this.done.set(done);
        }

        private void paint() {
            try {
                while (true) {
                    Thread.sleep(REDRAW_MILLIS);
                    long elapsed = System.nanoTime() - start;
                    if (elapsed >= DELAY_NANOS) {
                        synchronized (err) {
                            err.print("\r" + line(label, done.get(), total, elapsed / 1e9));
                            err.flush();
                        }
                        drawn = true;
                    }
                }
            } catch (InterruptedException e) {
                // closed
            }
        }

        @Override
        public void close() {
            if (painter == null) {
                return;
            }
            painter.interrupt();
            try {
                painter.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (drawn) {
                synchronized (err) { // wipe the bar, so the next line starts clean
                    err.print("\r" + " ".repeat(line(label, total, total, 0).length() + 8) + "\r");
                    err.flush();
                }
            }
        }
    }

    /** {@code building the model [#######.......]  12/73  3.1 s}, or without a count when it is unknown. */
    static String line(String label, int done, int total, double seconds) {
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s ... %.1f s", label, seconds);
        }
        int filled = (int) ((long) WIDTH * Math.min(done, total) / total);
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d %.1f s", label, "#".repeat(filled),
                ".".repeat(WIDTH - filled), Math.min(done, total), total, seconds);
    }
}
