package dev.vecgpt.model.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import dev.vecgpt.core.GptConfig;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptBatch;
import dev.vecgpt.model.Sampling;
import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * {@code POST /v1/completions}: checks the request against the model, queues it on the {@link Scheduler}
 * and writes what comes back, as one JSON object or, with {@code stream}, as server-sent events (one
 * {@code data:} chunk per token, then {@code data: [DONE]}). Runs on the exchange's virtual thread.
 */
final class Completions {

    private static final AtomicLong IDS = new AtomicLong();

    private final String modelName;
    private final GptConfig config;
    private final Tokenizer tokenizer;
    private final Scheduler scheduler;
    private final Metrics metrics;
    private final ServerOptions options;

    Completions(String modelName, GptConfig config, Tokenizer tokenizer, Scheduler scheduler, Metrics metrics,
                ServerOptions options) {
        this.modelName = modelName;
        this.config = config;
        this.tokenizer = tokenizer;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.options = options;
    }

    /** Answers the exchange; an {@link ApiError} thrown before the answer starts is the caller's to send. */
    void handle(HttpExchange exchange) throws IOException {
        metrics.request();
        CompletionRequest request = CompletionRequest.parse(Http.body(exchange, options.maxBodyBytes()));
        if (!request.model().equals(modelName)) {
            throw ApiError.invalid("The model `" + request.model() + "` does not exist; this server has `"
                    + modelName + "` (GET /v1/models)", "model", "model_not_found");
        }
        if (request.maxTokens() > options.maxTokensLimit()) {
            throw ApiError.invalid("max_tokens is " + request.maxTokens() + ", this server allows at most "
                    + options.maxTokensLimit(), "max_tokens");
        }
        if (request.topK() > config.vocabSize()) {
            throw ApiError.invalid("top_k is " + request.topK() + ", larger than the vocabulary ("
                    + config.vocabSize() + ")", "top_k");
        }
        int[] prompt = promptIds(request);
        int total = prompt.length + request.maxTokens();
        if (total > config.contextLength()) {
            throw ApiError.invalid("This model's maximum context length is " + config.contextLength()
                    + " tokens, however you requested " + total + " tokens (" + prompt.length + " in your prompt; "
                    + request.maxTokens() + " for the completion). Please reduce your prompt; or completion length.",
                    prompt.length > config.contextLength() ? "prompt" : "max_tokens", "context_length_exceeded");
        }
        Job job = new Job(prompt, generation(request), request.logprobs() == null ? -1 : request.logprobs(), metrics);
        scheduler.submit(job);
        metrics.prompt(prompt.length);
        Answer answer = new Answer(request, prompt, "cmpl-" + Long.toHexString(System.nanoTime())
                + Long.toHexString(IDS.incrementAndGet()), System.currentTimeMillis() / 1000);
        try {
            if (request.stream()) {
                stream(exchange, job, answer);
            } else {
                whole(exchange, job, answer);
            }
        } catch (IOException e) {
            job.cancel(); // the client is gone: its sequence leaves at the next step
            metrics.disconnected();
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
        }
    }

    private int[] promptIds(CompletionRequest request) {
        int[] ids;
        if (request.promptIds() != null) {
            ids = request.promptIds();
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                    throw ApiError.invalid("prompt token " + i + " is " + ids[i] + ", outside the vocabulary [0, "
                            + config.vocabSize() + ")", "prompt");
                }
            }
        } else {
            try {
                ids = request.prompt() == null ? new int[0] : tokenizer.encode(request.prompt());
            } catch (RuntimeException e) {
                throw ApiError.invalid("the prompt cannot be encoded: " + e.getMessage(), "prompt");
            }
        }
        if (ids.length == 0) {
            // As OpenAI: an empty or missing prompt is the start of a document.
            if (config.vocabSize() <= Tokenizer.END_OF_TEXT) {
                throw ApiError.invalid("the prompt is empty", "prompt");
            }
            ids = new int[] {Tokenizer.END_OF_TEXT};
        }
        return ids;
    }

    private Generation generation(CompletionRequest request) {
        Sampling sampling;
        if (request.temperature() == 0) {
            sampling = Sampling.greedy().withTopK(request.topK());
        } else {
            long seed = request.seed() != null ? request.seed()
                    : options.sampleSeed() != null ? options.sampleSeed() : ThreadLocalRandom.current().nextLong();
            sampling = Sampling.random((float) request.temperature(), seed).withTopK(request.topK())
                    .withTopP((float) request.topP());
        }
        Generation generation = Generation.of(request.maxTokens(), sampling);
        return config.vocabSize() > Tokenizer.END_OF_TEXT ? generation.stopAt(Tokenizer.END_OF_TEXT) : generation;
    }

    private void whole(HttpExchange exchange, Job job, Answer answer) throws IOException, InterruptedException {
        StringBuilder text = new StringBuilder(answer.echoed());
        String finish = answer.run(job, null, piece -> text.append(piece.text()));
        if (finish == null) {
            Http.sendError(exchange, answer.failure);
            metrics.responded(answer.failure.status);
            return;
        }
        text.append(answer.rest);
        byte[] body = Http.json(g -> {
            answer.start(g);
            answer.choice(g, text.toString(), answer.logprobs, finish);
            g.writeEndArray();
            answer.usage(g);
            g.writeEndObject();
        });
        Http.sendJson(exchange, 200, body);
        metrics.responded(200);
    }

    private void stream(HttpExchange exchange, Job job, Answer answer) throws IOException, InterruptedException {
        // The first event waits for the job to start: a refusal then is still an HTTP error, not a stream.
        Job.Event first = job.events.take();
        if (first instanceof Job.Failed failed) {
            Http.sendError(exchange, failed.error());
            metrics.responded(failed.error().status);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        metrics.responded(200);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!answer.echoed().isEmpty()) {
                event(out, Http.json(g -> answer.chunk(g, answer.echoed(), null, null)));
            }
            String finish = answer.run(job, first, piece -> {
                try {
                    event(out, Http.json(g -> answer.chunk(g, piece.text(), piece.logprobs(), null)));
                } catch (IOException e) {
                    throw new ClientGone(e);
                }
            });
            if (finish == null) {
                event(out, Http.error(answer.failure));
            } else {
                event(out, Http.json(g -> answer.chunk(g, answer.rest, null, finish)));
                if (answer.request.includeUsage()) {
                    event(out, Http.json(g -> {
                        answer.start(g);
                        g.writeEndArray();
                        answer.usage(g);
                        g.writeEndObject();
                    }));
                }
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (ClientGone e) {
            throw e.getCause();
        }
    }

    private static void event(OutputStream out, byte[] json) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.write("\n\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** A write to a client that has gone, carried out of a callback. */
    private static final class ClientGone extends RuntimeException {
        ClientGone(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** What one token adds to the answer: its text (held back text may come later) and its log-probabilities. */
    private record Piece(String text, Logprobs logprobs) {}

    /** OpenAI's legacy {@code logprobs} object, for one token or for all. */
    private final class Logprobs {
        final List<String> tokens = new ArrayList<>();
        final List<Float> tokenLogprobs = new ArrayList<>();
        final List<Job.Token> top = new ArrayList<>();
        final List<Integer> offsets = new ArrayList<>();

        void add(Job.Token t, int offset) {
            tokens.add(tokenizer.decode(t.id()));
            tokenLogprobs.add(t.logprob());
            top.add(t);
            offsets.add(offset);
        }

        void write(JsonGenerator g) throws IOException {
            g.writeObjectFieldStart("logprobs");
            g.writeArrayFieldStart("tokens");
            for (String t : tokens) {
                g.writeString(t);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("token_logprobs");
            for (float lp : tokenLogprobs) {
                g.writeNumber(lp);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("top_logprobs");
            for (Job.Token t : top) {
                g.writeStartObject();
                for (int i = 0; i < t.top().length; i++) {
                    g.writeNumberField(tokenizer.decode(t.top()[i]), t.topLogprobs()[i]);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("text_offset");
            for (int offset : offsets) {
                g.writeNumber(offset);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    /** One answer being made: the request, its id, and the text and counts so far. */
    private final class Answer {
        final CompletionRequest request;
        final int[] prompt;
        final String id;
        final long created;
        final Logprobs logprobs;
        String rest = "";
        int completionTokens;
        ApiError failure;

        Answer(CompletionRequest request, int[] prompt, String id, long created) {
            this.request = request;
            this.prompt = prompt;
            this.id = id;
            this.created = created;
            this.logprobs = request.logprobs() == null ? null : new Logprobs();
        }

        /** The prompt's text when {@code echo} asks for it, else "". */
        String echoed() {
            if (!request.echo()) {
                return "";
            }
            return request.prompt() != null ? request.prompt() : tokenizer.decode(prompt);
        }

        /**
         * Takes the job's events ({@code first}, if not null, then the queue's) until it ends, handing each
         * token's piece to {@code sink}; returns the
         * finish reason ({@code "length"} or {@code "stop"}), or null when the job failed ({@link #failure}).
         * A stop string ends it at once, and the job is cancelled.
         */
        String run(Job job, Job.Event first, Consumer<Piece> sink) throws InterruptedException {
            StopText stopText = new StopText(request.stop());
            StringBuilder text = new StringBuilder();
            IntConsumer decoder = tokenizer.textTo(piece -> text.append(stopText.add(piece)));
            int offset = echoed().length();
            for (Job.Event event = first != null ? first : job.events.take(); ; event = job.events.take()) {
                switch (event) {
                    case Job.Token t -> {
                        completionTokens++;
                        text.setLength(0);
                        decoder.accept(t.id());
                        Logprobs one = null;
                        if (logprobs != null) {
                            logprobs.add(t, offset);
                            one = new Logprobs();
                            one.add(t, offset);
                        }
                        offset += text.length();
                        sink.accept(new Piece(text.toString(), one));
                        if (stopText.stopped()) {
                            job.cancel();
                            return "stop";
                        }
                    }
                    case Job.End end -> {
                        if (end.finish() == GptBatch.Finish.CANCELLED) {
                            failure = new ApiError(503, "server_error",
                                    "the server stopped before this completion ended", null, "unavailable");
                            return null;
                        }
                        rest = stopText.rest(); // the text held back for a stop string that did not come
                        return end.finish() == GptBatch.Finish.LENGTH ? "length" : "stop";
                    }
                    case Job.Failed f -> {
                        failure = f.error();
                        return null;
                    }
                }
            }
        }

        void start(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "text_completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", modelName);
            g.writeArrayFieldStart("choices");
        }

        void choice(JsonGenerator g, String text, Logprobs lp, String finish) throws IOException {
            g.writeStartObject();
            g.writeStringField("text", text);
            g.writeNumberField("index", 0);
            if (lp == null) {
                g.writeNullField("logprobs");
            } else {
                lp.write(g);
            }
            g.writeStringField("finish_reason", finish);
            g.writeEndObject();
        }

        void chunk(JsonGenerator g, String text, Logprobs lp, String finish) throws IOException {
            start(g);
            choice(g, text, lp, finish);
            g.writeEndArray();
            g.writeEndObject();
        }

        void usage(JsonGenerator g) throws IOException {
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", prompt.length);
            g.writeNumberField("completion_tokens", completionTokens);
            g.writeNumberField("total_tokens", prompt.length + completionTokens);
            g.writeEndObject();
        }
    }
}
