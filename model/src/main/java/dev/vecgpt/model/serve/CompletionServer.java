package dev.vecgpt.model.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code vecgpt serve}: OpenAI's completions API over HTTP/1.1 for one model, on the JDK's HTTP server
 * with a virtual thread per exchange. {@code POST /v1/completions}, {@code GET /v1/models},
 * {@code GET /health} and {@code GET /metrics}; every request that fails gets OpenAI's error object.
 * The model runs on one thread ({@link Scheduler}), which decodes all running completions together.
 */
public final class CompletionServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CompletionServer.class.getName());

    private final String modelName;
    private final ServerOptions options;
    private final Metrics metrics = new Metrics();
    private final Scheduler scheduler;
    private final Completions completions;
    private final ExecutorService exchanges = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpServer http;
    private final long created = System.currentTimeMillis() / 1000;
    private volatile boolean stopping;
    private boolean listening = true;
    private boolean closed;

    /** Listens at once; the model stays the caller's (close it after this server). */
    public CompletionServer(GptModel model, String modelName, ServerOptions options) throws IOException {
        this.modelName = modelName;
        this.options = options;
        this.scheduler = new Scheduler(model, options.maxBatch(), options.maxQueue(), metrics);
        this.completions = new Completions(modelName, model.config(), new Tokenizer(), scheduler, metrics, options);
        try {
            http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 256);
        } catch (IOException | RuntimeException e) {
            scheduler.close();
            throw e;
        }
        http.createContext("/", this::handle);
        http.setExecutor(exchanges);
        http.start();
    }

    /** Where it listens (the real port when the options asked for 0). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    public String modelName() {
        return modelName;
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            try {
                route(exchange);
            } catch (ApiError e) {
                if (isCompletion(exchange)) {
                    metrics.responded(e.status);
                }
                Http.sendError(exchange, e);
            }
        } catch (IOException e) {
            // the client went away while we answered: nothing to tell it
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "request " + exchange.getRequestURI() + " failed", e);
            try {
                if (isCompletion(exchange)) {
                    metrics.responded(500);
                }
                Http.sendError(exchange, new ApiError(500, "server_error", "internal error: " + e, null, null));
            } catch (IOException | RuntimeException ignored) {
                // headers may have gone out already
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        switch (path) {
            case "/v1/completions" -> {
                allow(exchange, "POST");
                completions.handle(exchange);
            }
            case "/v1/models" -> {
                allow(exchange, "GET");
                Http.sendJson(exchange, 200, Http.json(g -> {
                    g.writeStartObject();
                    g.writeStringField("object", "list");
                    g.writeArrayFieldStart("data");
                    modelObject(g);
                    g.writeEndArray();
                    g.writeEndObject();
                }));
            }
            case "/health" -> {
                allow(exchange, "GET");
                int status = stopping ? 503 : 200;
                Http.sendJson(exchange, status, Http.json(g -> {
                    g.writeStartObject();
                    g.writeStringField("status", stopping ? "stopping" : "ok");
                    g.writeEndObject();
                }));
            }
            case "/metrics" -> {
                allow(exchange, "GET");
                Http.sendText(exchange, 200, metrics.text(scheduler.active(), scheduler.queued(),
                        scheduler.capacity(), scheduler.queueCapacity()));
            }
            default -> {
                if (path.equals("/v1/models/" + modelName)) {
                    allow(exchange, "GET");
                    Http.sendJson(exchange, 200, Http.json(this::modelObject));
                    return;
                }
                throw new ApiError(404, "invalid_request_error", "no such path: " + method + " " + path
                        + " (this server has POST /v1/completions, GET /v1/models, GET /health, GET /metrics)",
                        null, "not_found");
            }
        }
    }

    private static boolean isCompletion(HttpExchange exchange) {
        return exchange.getRequestURI().getPath().equals("/v1/completions");
    }

    private void modelObject(com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", modelName);
        g.writeStringField("object", "model");
        g.writeNumberField("created", created);
        g.writeStringField("owned_by", "vecgpt");
        g.writeEndObject();
    }

    private static void allow(HttpExchange exchange, String method) {
        if (!exchange.getRequestMethod().equals(method)) {
            exchange.getResponseHeaders().set("Allow", method);
            throw new ApiError(405, "invalid_request_error", exchange.getRequestMethod() + " is not allowed on "
                    + exchange.getRequestURI().getPath() + ", only " + method, null, "method_not_allowed");
        }
    }

    /**
     * Stops as a service should on SIGTERM: the listening socket closes and new completions are refused
     * at once; the running and queued ones get up to {@link ServerOptions#shutdownSeconds()} to finish,
     * then the rest are cancelled (a streaming client gets an error event, a waiting one a 503).
     */
    public void shutdown() {
        stopping = true;
        scheduler.drain();
        long deadline = System.nanoTime() + options.shutdownSeconds() * 1_000_000_000L;
        Thread canceller = Thread.ofVirtual().start(() -> {
            while (!scheduler.idle() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    break;
                }
            }
            scheduler.close();
        });
        http.stop(options.shutdownSeconds() + 2); // returns once every exchange has ended
        listening = false;
        try {
            canceller.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /** Cancels whatever runs, stops listening and frees the batch at once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        scheduler.close();
        if (listening) {
            listening = false;
            http.stop(1); // the cancelled exchanges write their last event and end; connections close after 1 s at most
        }
        exchanges.close();
    }
}
