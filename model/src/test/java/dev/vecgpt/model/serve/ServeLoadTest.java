package dev.vecgpt.model.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vecgpt.core.GptConfig;
import dev.vecgpt.model.Generation;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.GptSession;
import dev.vecgpt.model.ModelOptions;
import dev.vecgpt.model.Sampling;
import dev.vecgpt.model.SessionLifecycleTest;
import dev.vecgpt.model.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server under load and faults, on loopback, bounded in count and time: many concurrent streaming
 * clients, clients that leave mid-stream, bad and oversized bodies, a full queue, a shutdown. Every
 * request is answered once with its own text; afterwards no sequence, thread or native memory is left.
 */
class ServeLoadTest {

    /** A long context, so that a completion can outlast its client. */
    private static final GptConfig LOAD = new GptConfig(50257, 512, 64, 4, 2, 0.1, false);
    private static final String[] PROMPTS = {"Hello, I am", "The dog", "Every effort moves you", "1, 2, 3,"};
    private static final Sampling[] SAMPLINGS = {Sampling.greedy(), Sampling.random(0.9f, 1), Sampling.random(1.2f, 2).withTopK(50)};
    private static final int MAX_TOKENS = 16;
    private static final Tokenizer TOKENIZER = new Tokenizer();

    /** Its own threads are virtual: a pool of platform threads would linger and blur the thread count. */
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();

    @AfterEach
    void closeClient() {
        client.close(); // its selector thread would otherwise linger into the next test's thread count
    }

    @Test
    void sixtyFourStreamingClientsWithDisconnectsAndBadBodiesAreEachAnsweredOnceWithTheirOwnText() throws Exception {
        try (GptModel model = new GptModel(LOAD, 123, ModelOptions.DEFAULT.withThreads(2))) {
            // The tokens of each prompt and sampling alone: a request for k tokens gets the first k.
            Map<String, int[]> alone = new ConcurrentHashMap<>();
            for (String prompt : PROMPTS) {
                for (int s = 0; s < SAMPLINGS.length; s++) {
                    try (GptSession session = model.newSession()) {
                        int[] ids = TOKENIZER.encode(prompt);
                        int[] out = session.generate(ids, Generation.of(MAX_TOKENS, SAMPLINGS[s]).stopAt(Tokenizer.END_OF_TEXT));
                        alone.put(prompt + "|" + s, java.util.Arrays.copyOfRange(out, ids.length, out.length));
                    }
                }
            }
            ServerOptions options = ServerOptions.defaults(0).withLimits(16, 64, 400).withBodyLimit(4096);
            Map<String, Integer> outcomes = new ConcurrentHashMap<>();
            long before = platformThreads();
            long[] threads = new long[2];
            long[] memory = new long[2];
            for (int round = 0; round < 2; round++) {
                try (CompletionServer server = new CompletionServer(model, "load", options)) {
                    int clients = 64;
                    int perClient = 4;
                    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                        List<Future<?>> done = new ArrayList<>();
                        for (int c = 0; c < clients; c++) {
                            SplittableRandom random = new SplittableRandom(round * 1000L + c);
                            done.add(pool.submit(() -> {
                                for (int r = 0; r < perClient; r++) {
                                    outcomes.merge(oneRequest(server, random, alone), 1, Integer::sum);
                                }
                                return null;
                            }));
                        }
                        for (Future<?> f : done) {
                            f.get(300, TimeUnit.SECONDS);
                        }
                    }
                    String metrics = awaitIdle(server);
                    assertEquals((round + 1) * clients * perClient, outcomes.values().stream().mapToInt(i -> i).sum());
                    assertEquals(clients * perClient, counter(metrics, "vecgpt_requests_total"), metrics);
                    long answered = counter(metrics, "vecgpt_responses_total{status=\"200\"}")
                            + counter(metrics, "vecgpt_responses_total{status=\"400\"}")
                            + counter(metrics, "vecgpt_responses_total{status=\"413\"}");
                    assertEquals(clients * perClient, answered, "every request answered once:\n" + metrics);
                }
                threads[round] = platformThreads(before);
                memory[round] = nativeKbAfterGc(round == 0 ? Long.MAX_VALUE : memory[0]);
            }
            System.out.println("ServeLoadTest outcomes over 2 rounds: " + outcomes);
            assertTrue(outcomes.getOrDefault("whole", 0) > 0 && outcomes.getOrDefault("streamed", 0) > 0
                    && outcomes.getOrDefault("left", 0) > 0 && outcomes.getOrDefault("malformed", 0) > 0
                    && outcomes.getOrDefault("oversized", 0) > 0, outcomes.toString());
            // The second round leaves what the first left: no thread or native memory per request or server.
            assertEquals(before, threads[0], "platform threads after the first round");
            assertEquals(before, threads[1], "platform threads after the second round");
            assertTrue(memory[1] <= memory[0], "native memory went from " + memory[0] + " KB to " + memory[1] + " KB");
        }
    }

    /** One request of a random kind; returns the kind, having checked its answer. */
    private String oneRequest(CompletionServer server, SplittableRandom random, Map<String, int[]> alone)
            throws IOException, InterruptedException {
        int kind = random.nextInt(20);
        if (kind == 0) {
            HttpResponse<String> r = post(server, "{\"model\":\"load\",\"prompt\":", HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), r.body());
            return "malformed";
        }
        if (kind == 1) {
            HttpResponse<String> r = post(server, "{\"model\":\"load\",\"prompt\":\"" + "a".repeat(5000) + "\"}",
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode(), r.body());
            return "oversized";
        }
        int p = random.nextInt(PROMPTS.length);
        int s = random.nextInt(SAMPLINGS.length);
        int maxTokens = 1 + random.nextInt(MAX_TOKENS);
        Sampling sampling = SAMPLINGS[s];
        String body = "{\"model\":\"load\",\"prompt\":\"" + PROMPTS[p] + "\",\"max_tokens\":" + maxTokens
                + ",\"temperature\":" + sampling.temperature() + ",\"top_k\":" + sampling.topK() + ",\"seed\":"
                + sampling.seed();
        int[] tokens = alone.get(PROMPTS[p] + "|" + s);
        int expectedCount = Math.min(maxTokens, tokens.length);
        String expected = text(java.util.Arrays.copyOf(tokens, expectedCount));
        if (kind < 5) {
            HttpResponse<String> r = post(server, body + "}", HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode json = ServeTest.JSON.readTree(r.body());
            assertEquals(expected, json.get("choices").get(0).get("text").asText(), body);
            assertEquals(expectedCount, json.get("usage").get("completion_tokens").asInt(), body);
            return "whole";
        }
        boolean leave = kind < 8;
        // A client that leaves asks for many tokens, so that it leaves while its sequence runs.
        String streamed = leave ? body.replaceFirst("\"max_tokens\":\\d+", "\"max_tokens\":400") : body;
        HttpResponse<InputStream> r = post(server, streamed + ",\"stream\":true}", HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (InputStream in = r.body()) {
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            StringBuilder text = new StringBuilder();
            int events = 0;
            int leaveAfter = 1 + random.nextInt(3);
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    continue;
                }
                assertTrue(line.startsWith("data: "), line);
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    break;
                }
                events++;
                text.append(ServeTest.JSON.readTree(data).get("choices").get(0).get("text").asText());
                if (leave && events == leaveAfter) {
                    return "left"; // closing the stream drops the connection
                }
            }
            if (leave) {
                return "left"; // it ended (at <|endoftext|>) before the client meant to leave
            }
            assertEquals(expected, text.toString(), body);
            assertEquals(expectedCount + 1, events, body);
            return "streamed";
        }
    }

    @Test
    void aFullQueueIs429AClientThatLeavesFreesItsPlaceAndShutdownFinishesWhatRuns() throws Exception {
        try (GptModel model = new GptModel(LOAD, 123, ModelOptions.DEFAULT)) {
            long threads = platformThreads();
            CompletionServer server = new CompletionServer(model, "load",
                    new ServerOptions("127.0.0.1", 0, 1, 1, 400, 4096, null, 30));
            String longOne = "{\"model\":\"load\",\"prompt\":\"Hello\",\"max_tokens\":400,\"temperature\":0,\"stream\":true}";
            HttpResponse<InputStream> first = post(server, longOne, HttpResponse.BodyHandlers.ofInputStream());
            InputStream firstBody = first.body();
            assertTrue(new String(firstBody.readNBytes(6), StandardCharsets.UTF_8).startsWith("data: "));
            var second = client.sendAsync(request(server, longOne.replace("400", "5")), HttpResponse.BodyHandlers.ofString());
            awaitMetric(server, "vecgpt_sequences_queued 1");
            HttpResponse<String> third = post(server, longOne, HttpResponse.BodyHandlers.ofString());
            assertEquals(429, third.statusCode());
            assertEquals("queue_full", ServeTest.JSON.readTree(third.body()).get("error").get("code").asText());

            firstBody.close(); // the first client leaves: its sequence is dropped and the second one runs
            HttpResponse<String> secondDone = second.get(60, TimeUnit.SECONDS);
            assertEquals(200, secondDone.statusCode());
            assertEquals(6, ServeTest.events(secondDone.body()).size(), "5 tokens and the finish");
            String metrics = awaitIdle(server);
            assertTrue(counter(metrics, "vecgpt_generated_tokens_total") < 400, metrics);
            assertEquals(1, counter(metrics, "vecgpt_client_disconnects_total"), metrics);

            // Shutdown: a running stream finishes, new connections are refused.
            var running = client.sendAsync(request(server, longOne.replace("400", "40")), HttpResponse.BodyHandlers.ofString());
            awaitMetric(server, "vecgpt_sequences_active 1");
            Thread stopping = Thread.ofVirtual().start(server::shutdown);
            HttpResponse<String> finished = running.get(60, TimeUnit.SECONDS);
            assertEquals(41, ServeTest.events(finished.body()).size(), finished.body());
            stopping.join(30_000);
            assertTrue(!stopping.isAlive());
            try {
                post(server, longOne, HttpResponse.BodyHandlers.ofString());
                throw new AssertionError("a stopped server answered");
            } catch (ConnectException expected) {
                // nothing listens any more
            }
            server.close();
            assertEquals(threads, platformThreads(threads));
        }
    }

    @Test
    void shutdownCancelsWhatOutlastsItsDeadline() throws Exception {
        try (GptModel model = new GptModel(LOAD, 123, ModelOptions.DEFAULT)) {
            CompletionServer server = new CompletionServer(model, "load",
                    new ServerOptions("127.0.0.1", 0, 2, 2, 400, 4096, null, 0));
            String longOne = "{\"model\":\"load\",\"prompt\":\"Hello\",\"max_tokens\":400,\"temperature\":0,\"stream\":true}";
            var running = client.sendAsync(request(server, longOne), HttpResponse.BodyHandlers.ofString());
            awaitMetric(server, "vecgpt_sequences_active 1");
            server.shutdown();
            String body = running.get(60, TimeUnit.SECONDS).body();
            assertTrue(body.contains("\"error\"") && body.contains("the server stopped"), body);
            assertTrue(body.endsWith("data: [DONE]\n\n"), body);
        }
    }

    private HttpRequest request(CompletionServer server, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private <T> HttpResponse<T> post(CompletionServer server, String body, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        return client.send(request(server, body), handler);
    }

    private String metrics(CompletionServer server) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitMetric(CompletionServer server, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String metrics = "";
        while (System.nanoTime() < deadline) {
            metrics = metrics(server);
            if (metrics.contains("\n" + line + "\n")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no '" + line + "' in\n" + metrics);
    }

    /** The metrics once no sequence is active or queued: those of clients that left are dropped too. */
    private String awaitIdle(CompletionServer server) throws Exception {
        awaitMetric(server, "vecgpt_sequences_active 0");
        awaitMetric(server, "vecgpt_sequences_queued 0");
        return metrics(server);
    }

    private static long counter(String metrics, String name) {
        Matcher m = Pattern.compile("\n" + Pattern.quote(name) + " (\\d+)\n").matcher(metrics);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static String text(int[] ids) {
        StringBuilder text = new StringBuilder();
        var decoder = TOKENIZER.textTo(text::append);
        for (int id : ids) {
            decoder.accept(id);
        }
        return text.toString();
    }

    /**
     * Platform threads of the "main" group: the server's (its decode thread, the HTTP server's dispatcher
     * and timer), the kernels' and the test's. Not the JDK's own pools (virtual threads' carriers, the
     * common pool, pollers), which grow and shrink as they please in groups of their own.
     */
    private static long platformThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.isVirtual() && t.getThreadGroup() != null && t.getThreadGroup().getName().equals("main"))
                .count();
    }

    /**
     * The platform threads once there are {@code expected} of them, or after 10 s: a stopped HTTP server's
     * timer threads end a moment after it stops. Their names go to standard output if more remain.
     */
    private static long platformThreads(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (platformThreads() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long now = platformThreads();
        if (now != expected) {
            Thread.getAllStackTraces().keySet().forEach(t -> System.out.println("thread: " + t));
        }
        return now;
    }

    /**
     * {@link SessionLifecycleTest#nativeKb()} (NMT's "Other" malloc, where FFM arenas allocate) once it is
     * at most {@code limit}, or after 5 s of collections: each server's decode thread keeps a kernel
     * scratch of its own (64 KB), freed when the collector finds the ended thread.
     */
    private static long nativeKbAfterGc(long limit) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long kb;
        do {
            System.gc();
            Thread.sleep(100);
            kb = SessionLifecycleTest.nativeKb();
        } while (kb > limit && System.nanoTime() < deadline);
        return kb;
    }
}
