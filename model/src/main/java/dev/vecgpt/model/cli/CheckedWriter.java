package dev.vecgpt.model.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * Standard output that says when a write failed: {@code PrintWriter} and {@code PrintStream} keep write
 * errors to themselves ({@code checkError()}), so a full disk or a closed pipe would go unnoticed. Each
 * {@link #flush()} throws {@link Failed} once a write has failed; the commands flush after every line or
 * generated token, so they stop at the first one.
 */
final class CheckedWriter extends PrintWriter {

    /** A write to standard output failed; {@link #brokenPipe()}: the reader has gone (as {@code head} does). */
    static final class Failed extends RuntimeException {
        Failed(IOException cause) {
            super("cannot write to standard output: " + cause.getMessage(), cause);
        }

        boolean brokenPipe() {
            return "Broken pipe".equals(getCause().getMessage());
        }
    }

    private final Recorder sink;

    CheckedWriter(OutputStream out) {
        this(new Recorder(out));
    }

    private CheckedWriter(Recorder sink) {
        super(new java.io.OutputStreamWriter(sink, StandardCharsets.UTF_8), false);
        this.sink = sink;
    }

    @Override
    public void flush() {
        super.flush();
        if (sink.error != null) { // (checkError() would flush again)
            throw new Failed(sink.error);
        }
    }

    /** Keeps the first exception the stream threw, for the message. */
    private static final class Recorder extends FilterOutputStream {
        IOException error;

        Recorder(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                error = error == null ? e : error;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                error = error == null ? e : error;
                throw e;
            }
        }
    }
}
