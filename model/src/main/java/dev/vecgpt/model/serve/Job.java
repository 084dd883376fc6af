package dev.vecgpt.model.serve;

import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptBatch;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One completion between its HTTP exchange and the {@link Scheduler}: the scheduler's thread hands each
 * token (and its log-probabilities, if asked) to {@link #events}, which the exchange's thread takes and
 * writes; the exchange {@link #cancel()}s a job whose client is gone or whose text hit a stop string.
 */
final class Job implements GptBatch.Listener {

    /** What the exchange's thread takes, in order: tokens, then one end. */
    sealed interface Event permits Token, End, Failed {}

    /** A new token; {@code top} and {@code topLogprobs} hold the likeliest tokens when log-probabilities are asked. */
    record Token(int id, float logprob, int[] top, float[] topLogprobs) implements Event {}

    /** The sequence left the batch. */
    record End(GptBatch.Finish finish) implements Event {}

    /** The job could not run (the server stops, or the model refused it). */
    record Failed(ApiError error) implements Event {}

    final int[] prompt;
    final Generation generation;
    /** Log-probabilities of this many likeliest tokens at each step, or -1 for none. */
    final int logprobs;
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Metrics metrics;
    private volatile GptBatch.Sequence sequence;
    private volatile boolean cancelled;
    private Runnable whenEnded = () -> {};

    Job(int[] prompt, Generation generation, int logprobs, Metrics metrics) {
        this.prompt = prompt;
        this.generation = generation;
        this.logprobs = logprobs;
        this.metrics = metrics;
    }

    /** Ends the job at the scheduler's next step (or before it joins); any thread may call it. */
    void cancel() {
        cancelled = true;
        GptBatch.Sequence s = sequence;
        if (s != null) {
            s.cancel();
        }
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** Called by the scheduler once the job has joined the batch. */
    void joined(GptBatch.Sequence s) {
        sequence = s;
        if (cancelled) {
            s.cancel();
        }
    }

    /** Runs {@code action} once the job has ended (finished or failed). Called before it is queued. */
    void whenEnded(Runnable action) {
        whenEnded = action;
    }

    void fail(ApiError error) {
        events.add(new Failed(error));
        whenEnded.run();
    }

    @Override
    public void onToken(GptBatch.Sequence s, int token, float[] logits) {
        metrics.tokenGenerated();
        if (logprobs < 0) {
            events.add(new Token(token, 0, null, null));
            return;
        }
        LogSoftmax l = new LogSoftmax(logits);
        int[] top = l.top(logprobs);
        float[] topLogprobs = new float[top.length];
        for (int i = 0; i < top.length; i++) {
            topLogprobs[i] = l.of(top[i]);
        }
        events.add(new Token(token, l.of(token), top, topLogprobs));
    }

    @Override
    public void onFinish(GptBatch.Sequence s, GptBatch.Finish finish) {
        events.add(new End(finish));
        whenEnded.run();
    }

    /** Log-probabilities of the model's distribution over the logits (before temperature, top-k and top-p), in double. */
    private static final class LogSoftmax {
        private final float[] logits;
        private final double shift;

        LogSoftmax(float[] logits) {
            this.logits = logits;
            double max = Double.NEGATIVE_INFINITY;
            for (float x : logits) {
                max = Math.max(max, x);
            }
            double sum = 0;
            for (float x : logits) {
                sum += Math.exp(x - max);
            }
            shift = max + Math.log(sum);
        }

        float of(int token) {
            return (float) (logits[token] - shift);
        }

        /** The k likeliest tokens, likeliest first (the lower id first on ties). */
        int[] top(int k) {
            int[] best = new int[Math.min(k, logits.length)];
            int n = 0;
            for (int id = 0; id < logits.length && best.length > 0; id++) {
                if (n == best.length && !(logits[id] > logits[best[n - 1]])) {
                    continue;
                }
                int at = n < best.length ? n++ : n - 1;
                while (at > 0 && logits[best[at - 1]] < logits[id]) {
                    best[at] = best[at - 1];
                    at--;
                }
                best[at] = id;
            }
            return best;
        }
    }
}
