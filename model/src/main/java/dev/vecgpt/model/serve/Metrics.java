package dev.vecgpt.model.serve;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** Counters for {@code GET /metrics}, in Prometheus' text format; updated from any thread. */
final class Metrics {

    /** Seconds over which the token rate is measured. */
    static final int WINDOW = 10;

    private final Map<Integer, LongAdder> responses = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder tokens = new LongAdder();
    private final LongAdder disconnects = new LongAdder();
    /** Tokens per second of the last WINDOW + 1 seconds, by epoch second modulo WINDOW + 1; with the second each counts. */
    private final AtomicLongArray perSecond = new AtomicLongArray(WINDOW + 1);
    private final AtomicLongArray secondOf = new AtomicLongArray(WINDOW + 1);

    void request() {
        requests.increment();
    }

    void responded(int status) {
        responses.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    void prompt(int tokenCount) {
        promptTokens.add(tokenCount);
    }

    void disconnected() {
        disconnects.increment();
    }

    void tokenGenerated() {
        tokens.increment();
        long now = System.currentTimeMillis() / 1000;
        int i = (int) (now % perSecond.length());
        if (secondOf.get(i) != now) {
            synchronized (this) {
                if (secondOf.get(i) != now) {
                    perSecond.set(i, 0);
                    secondOf.set(i, now);
                }
            }
        }
        perSecond.incrementAndGet(i);
    }

    long tokens() {
        return tokens.sum();
    }

    /** Tokens per second over the last WINDOW whole seconds. */
    double tokensPerSecond() {
        long now = System.currentTimeMillis() / 1000;
        long sum = 0;
        for (int i = 0; i < perSecond.length(); i++) {
            long second = secondOf.get(i);
            if (second < now && second >= now - WINDOW) {
                sum += perSecond.get(i);
            }
        }
        return (double) sum / WINDOW;
    }

    String text(int active, int queued, int capacity, int queueCapacity) {
        StringBuilder s = new StringBuilder();
        line(s, "vecgpt_requests_total", "counter", "completion requests received", requests.sum());
        s.append("# HELP vecgpt_responses_total completion requests answered, by HTTP status\n"
                + "# TYPE vecgpt_responses_total counter\n");
        new TreeMap<>(responses).forEach((status, n) ->
                s.append("vecgpt_responses_total{status=\"").append(status).append("\"} ").append(n.sum()).append('\n'));
        line(s, "vecgpt_prompt_tokens_total", "counter", "prompt tokens of the completions that ran", promptTokens.sum());
        line(s, "vecgpt_generated_tokens_total", "counter", "tokens generated", tokens.sum());
        line(s, "vecgpt_client_disconnects_total", "counter", "completions whose client left before the end", disconnects.sum());
        line(s, "vecgpt_sequences_active", "gauge", "sequences being decoded", active);
        line(s, "vecgpt_sequences_queued", "gauge", "requests waiting for a place in the batch", queued);
        line(s, "vecgpt_batch_capacity", "gauge", "sequences decoded at once at most (--max-batch)", capacity);
        line(s, "vecgpt_queue_capacity", "gauge", "requests waiting at most (--max-queue)", queueCapacity);
        s.append("# HELP vecgpt_tokens_per_second tokens generated per second over the last ").append(WINDOW)
                .append(" s\n# TYPE vecgpt_tokens_per_second gauge\n")
                .append(String.format(java.util.Locale.ROOT, "vecgpt_tokens_per_second %.1f%n", tokensPerSecond()));
        return s.toString();
    }

    private static void line(StringBuilder s, String name, String type, String help, long value) {
        s.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }
}
