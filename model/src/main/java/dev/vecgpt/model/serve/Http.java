package dev.vecgpt.model.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reading bodies and writing JSON and text answers on the JDK's HTTP server. */
final class Http {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private Http() {}

    /** What writes one JSON value. */
    interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] json(JsonBody body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * The request's body, at most {@code limit} bytes.
     *
     * @throws ApiError 413 when it is longer (said by Content-Length or found while reading)
     */
    static byte[] body(HttpExchange exchange, int limit) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > limit) {
                    throw tooLarge(limit);
                }
            } catch (NumberFormatException e) {
                throw ApiError.invalid("Content-Length is not a number: " + length, null);
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw tooLarge(limit);
            }
            return body;
        }
    }

    private static ApiError tooLarge(int limit) {
        return new ApiError(413, "invalid_request_error", "the request body is larger than " + limit + " bytes",
                null, "request_too_large");
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static void sendJson(HttpExchange exchange, int status, byte[] body) throws IOException {
        send(exchange, status, "application/json", body);
    }

    static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** OpenAI's error object. */
    static byte[] error(ApiError e) {
        return json(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", e.getMessage());
            g.writeStringField("type", e.type);
            g.writeStringField("param", e.param);
            g.writeStringField("code", e.code);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    static void sendError(HttpExchange exchange, ApiError e) throws IOException {
        sendJson(exchange, e.status, error(e));
    }
}
