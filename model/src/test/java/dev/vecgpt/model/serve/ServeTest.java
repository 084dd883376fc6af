package dev.vecgpt.model.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vecgpt.core.GptConfig;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.Sampling;
import dev.vecgpt.model.Tokenizer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code vecgpt serve} over HTTP: completions (whole and streamed) are the text of a session's
 * generation with the same settings, and every bad request gets OpenAI's error object with its status.
 */
class ServeTest {

    /** GPT-2's vocabulary (so that text means something) on a narrow, short model: fast to build and run. */
    static final GptConfig SMALL = new GptConfig(50257, 96, 64, 4, 2, 0.1, false);
    static final String NAME = "tiny";
    static final ObjectMapper JSON = new ObjectMapper();

    static GptModel model;
    static CompletionServer server;
    static HttpClient client;
    static final Tokenizer TOKENIZER = new Tokenizer();

    @BeforeAll
    static void start() throws IOException {
        model = new GptModel(SMALL, 123, ModelOptions.DEFAULT);
        server = new CompletionServer(model, NAME, ServerOptions.defaults(0).withLimits(4, 8, 64).withBodyLimit(4096));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
        client.close();
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The text a session generates (as {@code vecgpt generate --stop-at-eos} prints it) and how many tokens. */
    record Expected(String text, int tokens, boolean full) {}

    static Expected expected(GptModel model, String prompt, int maxTokens, Sampling sampling) {
        try (GptSession session = model.newSession()) {
            StringBuilder text = new StringBuilder();
            int[] ids = TOKENIZER.encode(prompt);
            Generation generation = Generation.of(maxTokens, sampling).stopAt(Tokenizer.END_OF_TEXT);
            int[] out = session.generate(ids, generation, TOKENIZER.textTo(text::append));
            return new Expected(text.toString(), out.length - ids.length, out.length - ids.length == maxTokens);
        }
    }

    /** The data of each server-sent event, up to and without {@code [DONE]}, which must end the stream. */
    static List<JsonNode> events(String body) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        String[] parts = body.split("\n\n");
        for (int i = 0; i < parts.length; i++) {
            assertTrue(parts[i].startsWith("data: "), "not an event: " + parts[i]);
            String data = parts[i].substring("data: ".length());
            if (data.equals("[DONE]")) {
                assertEquals(parts.length - 1, i, "[DONE] is the last event");
                return events;
            }
            events.add(JSON.readTree(data));
        }
        throw new AssertionError("no [DONE] in " + body);
    }

    @ParameterizedTest
    @CsvSource({"0, 0, 1, 20", "0.8, 0, 1, 20", "1.3, 40, 0.9, 12", "0.7, 5, 1, 64"})
    void aCompletionIsTheSessionsTextWholeOrStreamed(double temperature, int topK, double topP, int maxTokens)
            throws Exception {
        String prompt = "Every effort moves you";
        long seed = 42;
        Sampling sampling = temperature == 0 ? Sampling.greedy()
                : Sampling.random((float) temperature, seed).withTopK(topK).withTopP((float) topP);
        Expected want = expected(model, prompt, maxTokens, sampling);
        String body = "{\"model\":\"tiny\",\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens
                + ",\"temperature\":" + temperature + ",\"top_k\":" + topK + ",\"top_p\":" + topP + ",\"seed\":" + seed;

        HttpResponse<String> whole = post("/v1/completions", body + "}");
        assertEquals(200, whole.statusCode(), whole.body());
        assertEquals("application/json", whole.headers().firstValue("Content-Type").orElseThrow());
        JsonNode r = JSON.readTree(whole.body());
        assertTrue(r.get("id").asText().startsWith("cmpl-"));
        assertEquals("text_completion", r.get("object").asText());
        assertEquals(NAME, r.get("model").asText());
        assertTrue(r.get("created").asLong() > 1_700_000_000L);
        JsonNode choice = r.get("choices").get(0);
        assertEquals(want.text(), choice.get("text").asText());
        assertEquals(0, choice.get("index").asInt());
        assertTrue(choice.get("logprobs").isNull());
        assertEquals(want.full() ? "length" : "stop", choice.get("finish_reason").asText());
        int promptTokens = TOKENIZER.encode(prompt).length;
        assertEquals(promptTokens, r.get("usage").get("prompt_tokens").asInt());
        assertEquals(want.tokens(), r.get("usage").get("completion_tokens").asInt());
        assertEquals(promptTokens + want.tokens(), r.get("usage").get("total_tokens").asInt());

        HttpResponse<String> streamed = post("/v1/completions",
                body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals(200, streamed.statusCode(), streamed.body());
        assertTrue(streamed.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        List<JsonNode> events = events(streamed.body());
        StringBuilder text = new StringBuilder();
        String id = events.getFirst().get("id").asText();
        for (int i = 0; i < events.size() - 1; i++) {
            JsonNode e = events.get(i);
            assertEquals(id, e.get("id").asText());
            assertEquals("text_completion", e.get("object").asText());
            JsonNode c = e.get("choices").get(0);
            text.append(c.get("text").asText());
            boolean last = i == events.size() - 2;
            assertEquals(last ? (want.full() ? "length" : "stop") : null, c.get("finish_reason").textValue());
        }
        assertEquals(want.text(), text.toString());
        assertEquals(want.tokens() + 1, events.size() - 1, "a chunk per token, then the finish");
        JsonNode usage = events.getLast();
        assertEquals(0, usage.get("choices").size());
        assertEquals(want.tokens(), usage.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void stopStringsEchoTokenIdsAndLogprobs() throws Exception {
        Expected want = expected(model, "The dog", 30, Sampling.greedy());
        String stop = want.text().substring(10, 13);
        int cut = want.text().indexOf(stop);
        for (String stream : new String[] {"false", "true"}) {
            HttpResponse<String> r = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"The dog\",\"max_tokens\":30,"
                    + "\"temperature\":0,\"stop\":[\"zzzz\"," + JSON.writeValueAsString(stop) + "],\"echo\":true,\"stream\":"
                    + stream + "}");
            assertEquals(200, r.statusCode(), r.body());
            String text;
            String finish;
            if (stream.equals("false")) {
                JsonNode c = JSON.readTree(r.body()).get("choices").get(0);
                text = c.get("text").asText();
                finish = c.get("finish_reason").asText();
            } else {
                StringBuilder all = new StringBuilder();
                List<JsonNode> events = events(r.body());
                events.forEach(e -> all.append(e.get("choices").get(0).get("text").asText()));
                text = all.toString();
                finish = events.getLast().get("choices").get(0).get("finish_reason").asText();
            }
            assertEquals("The dog" + want.text().substring(0, cut), text, "stream " + stream);
            assertEquals("stop", finish);
        }

        int[] ids = TOKENIZER.encode("The dog");
        HttpResponse<String> r = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":" + JSON.writeValueAsString(ids)
                + ",\"max_tokens\":5,\"temperature\":0,\"logprobs\":3}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode c = JSON.readTree(r.body()).get("choices").get(0);
        assertEquals(expected(model, "The dog", 5, Sampling.greedy()).text(), c.get("text").asText());
        JsonNode lp = c.get("logprobs");
        assertEquals(5, lp.get("tokens").size());
        int offset = 0;
        for (int i = 0; i < 5; i++) {
            JsonNode top = lp.get("top_logprobs").get(i);
            assertEquals(3, top.size());
            double best = top.elements().next().asDouble();
            // greedy: the chosen token is the likeliest, so its log-probability is the top one
            assertEquals(best, lp.get("token_logprobs").get(i).asDouble(), 0.0, "token " + i);
            assertTrue(best <= 0);
            assertTrue(top.has(lp.get("tokens").get(i).asText()));
            assertEquals(offset, lp.get("text_offset").get(i).asInt());
            offset += lp.get("tokens").get(i).asText().length();
        }
    }

    @Test
    void badRequestsGetOpenAisErrorObject() throws Exception {
        String ok = "\"model\":\"tiny\",\"prompt\":\"Hi\"";
        Object[][] cases = {
                {"{" + ok + ",", 400, null, "invalid_json"},
                {"[1, 2]", 400, null, "invalid_json"},
                {"", 400, null, "invalid_json"},
                {"{\"prompt\":\"Hi\"}", 400, "model", "missing_required_parameter"},
                {"{\"model\":\"gpt-4\",\"prompt\":\"Hi\"}", 400, "model", "model_not_found"},
                {"{" + ok + ",\"max_tokens\":\"ten\"}", 400, "max_tokens", "invalid_type"},
                {"{" + ok + ",\"max_tokens\":0}", 400, "max_tokens", null},
                {"{" + ok + ",\"max_tokens\":65}", 400, "max_tokens", null},
                {"{" + ok + ",\"max_tokens\":64,\"prompt\":" + JSON.writeValueAsString(new int[40]) + "}", 400, "max_tokens",
                        "context_length_exceeded"},
                {"{" + ok + ",\"prompt\":" + JSON.writeValueAsString(new int[97]) + "}", 400, "prompt",
                        "context_length_exceeded"},
                {"{" + ok + ",\"prompt\":[1, 50257]}", 400, "prompt", null},
                {"{" + ok + ",\"prompt\":[\"a\", \"b\"]}", 400, "prompt", "unsupported_value"},
                {"{" + ok + ",\"prompt\":true}", 400, "prompt", "invalid_type"},
                {"{" + ok + ",\"temperature\":2.5}", 400, "temperature", null},
                {"{" + ok + ",\"temperature\":-0.1}", 400, "temperature", null},
                {"{" + ok + ",\"top_p\":0}", 400, "top_p", null},
                {"{" + ok + ",\"top_k\":-1}", 400, "top_k", null},
                {"{" + ok + ",\"top_k\":50258}", 400, "top_k", null},
                {"{" + ok + ",\"logprobs\":6}", 400, "logprobs", null},
                {"{" + ok + ",\"n\":2}", 400, "n", "unsupported_value"},
                {"{" + ok + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400, "stop", null},
                {"{" + ok + ",\"stop\":5}", 400, "stop", "invalid_type"},
                {"{" + ok + ",\"stream\":\"yes\"}", 400, "stream", "invalid_type"},
                {"{" + ok + ",\"seed\":1.5}", 400, "seed", "invalid_type"},
                {"{" + ok + ",\"frequency_penalty\":0.5}", 400, "frequency_penalty", "unsupported_value"},
                {"{" + ok + ",\"best_of\":3}", 400, "best_of", "unsupported_value"},
                {"{" + ok + ",\"temprature\":1}", 400, "temprature", "unknown_parameter"},
                {"{" + ok + ",\"stream_options\":{\"include_usage\":true}}", 400, "stream_options", null},
                {"{" + ok + ",\"echo\":true,\"logprobs\":1}", 400, "logprobs", "unsupported_value"},
                {"{" + ok + ",\"user\":\"" + "x".repeat(5000) + "\"}", 413, null, "request_too_large"},
        };
        for (Object[] c : cases) {
            HttpResponse<String> r = post("/v1/completions", (String) c[0]);
            String what = c[0].toString().substring(0, Math.min(80, c[0].toString().length()));
            assertEquals((int) c[1], r.statusCode(), what + " -> " + r.body());
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertFalse(error.get("message").asText().isBlank(), what);
            assertEquals("invalid_request_error", error.get("type").asText());
            assertEquals(c[2], error.get("param").textValue(), what + " -> " + r.body());
            if (c[3] != null) {
                assertEquals(c[3], error.get("code").textValue(), what + " -> " + r.body());
            }
            assertTrue(error.has("code"), what);
        }
        HttpResponse<String> notFound = get("/v1/chat/completions");
        assertEquals(404, notFound.statusCode());
        assertEquals("not_found", JSON.readTree(notFound.body()).get("error").get("code").asText());
        HttpResponse<String> wrongMethod = get("/v1/completions");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
        assertEquals(405, post("/v1/models", "{}").statusCode());
        // the server still answers after all that
        assertEquals(200, post("/v1/completions", "{" + ok + ",\"max_tokens\":2}").statusCode());
    }

    @Test
    void modelsHealthAndMetrics() throws Exception {
        JsonNode models = JSON.readTree(get("/v1/models").body());
        assertEquals("list", models.get("object").asText());
        assertEquals(NAME, models.get("data").get(0).get("id").asText());
        assertEquals("model", models.get("data").get(0).get("object").asText());
        assertEquals(NAME, JSON.readTree(get("/v1/models/tiny").body()).get("id").asText());
        assertEquals(404, get("/v1/models/gpt-4").statusCode());
        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("ok", JSON.readTree(health.body()).get("status").asText());
        post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"Hi\",\"max_tokens\":3,\"temperature\":0}");
        String metrics = get("/metrics").body();
        for (String name : Stream.of("requests_total", "responses_total{status=\"200\"}", "generated_tokens_total",
                "prompt_tokens_total", "sequences_active", "sequences_queued", "tokens_per_second").toList()) {
            assertTrue(metrics.contains("\nvecgpt_" + name + " "), name + " in\n" + metrics);
        }
        assertNotEquals(-1, metrics.indexOf("vecgpt_sequences_active 0"));
    }
}
