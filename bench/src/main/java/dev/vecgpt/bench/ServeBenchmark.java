package dev.vecgpt.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code vecgpt serve} under 1, 2, 4, 8 and 16 concurrent streaming clients: each server is a process of
 * the distribution's launcher (the random GPT-2 124M, seed 123), for each thread count and weight format;
 * each client sends greedy requests with a 16-token prompt for 128 new tokens, one after the other. Per
 * client count: the aggregate rate (every client's tokens over the wall time), the time to the first
 * token and the time between tokens (p50 and p99 over all tokens of all clients).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.vecgpt.bench.ServeBenchmark \
 *     [DIST (model/target/vecgpt)] [CLIENTS (1,2,4,8,16)] [THREADS (1,2)] [FORMATS (F32,Q8_0)] \
 *     [NEW_TOKENS (128)] [REQUESTS_PER_CLIENT (2)]
 * </pre>
 */
public final class ServeBenchmark {

    private static final String MODEL = "gpt2-random-seed123";
    /** 16 GPT-2 token ids, the first four "Every effort moves you". */
    private static final int[] PROMPT = {6109, 3626, 6100, 345, 2651, 13, 383, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13};

    private ServeBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dist = Path.of(args.length > 0 ? args[0] : "model/target/vecgpt");
        int[] clients = ints(args.length > 1 ? args[1] : "1,2,4,8,16");
        int[] threads = ints(args.length > 2 ? args[2] : "1,2");
        String[] formats = (args.length > 3 ? args[3] : "F32,Q8_0").split(",");
        int newTokens = args.length > 4 ? Integer.parseInt(args[4]) : 128;
        int requests = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        int most = Arrays.stream(clients).max().orElse(1);
        System.out.printf(Locale.ROOT, "vecgpt serve, GPT-2 124M (random, seed 123), greedy, %d-token prompts, %d new "
                + "tokens, %d requests per client%n", PROMPT.length, newTokens, requests);
        System.out.println("| format | threads | clients | aggregate tokens/s | per client tokens/s | first token p50 (ms) "
                + "| first token p99 (ms) | between tokens p50 (ms) | between tokens p99 (ms) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (String format : formats) {
            for (int t : threads) {
                try (Server server = Server.start(dist, t, format, most)) {
                    // Warm-up: every batch size up to the largest, so that the measured runs are compiled.
                    run(server, most, Math.min(newTokens, 32), 1);
                    for (int n : clients) {
                        Result r = run(server, n, newTokens, requests);
                        System.out.printf(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.0f | %.0f | %.1f | %.1f |%n", format,
                                t, n, r.aggregate(), r.aggregate() / n, r.firstToken().p(50), r.firstToken().p(99),
                                r.between().p(50), r.between().p(99));
                    }
                }
            }
        }
    }

    /** What one client count gave. */
    private record Result(double aggregate, Percentiles firstToken, Percentiles between) {}

    /** Milliseconds, sorted. */
    private record Percentiles(double[] sorted) {
        static Percentiles of(List<Double> values) {
            return new Percentiles(values.stream().mapToDouble(Double::doubleValue).sorted().toArray());
        }

        double p(int percent) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
        }
    }

    /** One client's measurements: tokens, the time to each first token, the gaps between tokens (ms). */
    private record Client(int tokens, List<Double> firstTokens, List<Double> gaps) {}

    private static Result run(Server server, int clients, int newTokens, int requests) throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"prompt\":" + Arrays.toString(PROMPT) + ",\"max_tokens\":" + newTokens
                + ",\"temperature\":0,\"stream\":true}";
        long start = System.nanoTime();
        List<Client> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Client>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> client(server, body, requests)));
            }
            for (Future<Client> f : futures) {
                results.add(f.get());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int tokens = results.stream().mapToInt(Client::tokens).sum();
        return new Result(tokens / seconds,
                Percentiles.of(results.stream().flatMap(c -> c.firstTokens().stream()).toList()),
                Percentiles.of(results.stream().flatMap(c -> c.gaps().stream()).toList()));
    }

    private static Client client(Server server, String body, int requests) throws IOException, InterruptedException {
        int tokens = 0;
        List<Double> first = new ArrayList<>();
        List<Double> gaps = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            long sent = System.nanoTime();
            HttpResponse<Stream<String>> response = server.http.send(HttpRequest.newBuilder(server.uri("/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new IOException("status " + response.statusCode() + ": "
                        + response.body().collect(Collectors.joining("\n")));
            }
            long last = 0;
            try (Stream<String> lines = response.body()) {
                for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                    String line = it.next();
                    if (!line.startsWith("data: {") || !line.contains("\"finish_reason\":null")) {
                        continue; // blank separators, the finish and [DONE]
                    }
                    long now = System.nanoTime();
                    if (last == 0) {
                        first.add((now - sent) / 1e6);
                    } else {
                        gaps.add((now - last) / 1e6);
                    }
                    last = now;
                    tokens++;
                }
            }
        }
        return new Client(tokens, first, gaps);
    }

    private static int[] ints(String list) {
        return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** A {@code vecgpt serve} process on a free loopback port, stopped with SIGTERM. */
    private record Server(Process process, int port, HttpClient http) implements AutoCloseable {

        static Server start(Path dist, int threads, String format, int maxBatch) throws Exception {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            Process process = new ProcessBuilder(dist.resolve("bin/vecgpt").toString(), "serve", "--port",
                    String.valueOf(port), "--threads", String.valueOf(threads), "--format", format, "--max-batch",
                    String.valueOf(maxBatch), "--max-tokens-limit", "1008")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Server server = new Server(process, port, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newVirtualThreadPerTaskExecutor()).build());
            for (int i = 0; i < 600; i++) {
                try {
                    if (server.http.send(HttpRequest.newBuilder(server.uri("/health")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                        return server;
                    }
                } catch (IOException notYet) {
                    // still building the model
                }
                if (!process.isAlive()) {
                    throw new IOException("vecgpt serve exited with status " + process.exitValue());
                }
                Thread.sleep(500);
            }
            server.close();
            throw new IOException("vecgpt serve did not answer within 5 minutes");
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy(); // SIGTERM: the server finishes and exits 0
            int status = process.waitFor();
            http.close();
            if (status != 0) {
                System.err.println("vecgpt serve exited with status " + status);
            }
        }
    }
}
