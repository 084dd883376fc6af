package dev.vecgpt.model.cli;

import dev.vecgpt.core.WeightFormat;
import dev.vecgpt.model.GptModel;
import dev.vecgpt.model.serve.CompletionServer;
import dev.vecgpt.model.serve.ServerOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code vecgpt serve}: an OpenAI-compatible completions server for one model, until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        showDefaultValues = true, sortOptions = false,
        description = {"An OpenAI-compatible completions server (POST /v1/completions, GET /v1/models, "
                + "GET /health, GET /metrics) that decodes all running requests together, one token each per step.",
                "SIGTERM or SIGINT: stop accepting, let running completions finish (--shutdown-timeout), exit 0.", ""})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ThreadsOption threads;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1", order = 1,
            description = "the address to listen on (nothing here authenticates: keep it local or behind a proxy)")
    String host;

    int port = 8080;
    int maxBatch = 16;
    int maxQueue = 64;
    int maxTokensLimit = 1024;
    int shutdownTimeout = 10;
    int contextLength = 1024;
    Path weights;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", order = 2, description = "the port, 0 for any free one")
    void port(int n) {
        port = checked("--port", n, 0, 65535);
    }

    @Option(names = "--weights", paramLabel = "FILE", order = 3,
            description = "a Hugging Face GPT-2 model.safetensors; without it the seeded random 124M model")
    void weights(Path file) {
        String problem = Checkpoints.problem(file);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        weights = file;
    }

    @Option(names = "--seed", paramLabel = "N", defaultValue = "123", order = 4,
            description = "torch.manual_seed(N) before building the random model")
    long seed;

    @Option(names = "--context-length", paramLabel = "N", defaultValue = "1024", order = 5,
            description = "the random model's context length, 1 to 1024")
    void contextLength(int n) {
        contextLength = checked("--context-length", n, 1, 1024);
    }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "F32", order = 6,
            description = "how linear weights are stored: ${COMPLETION-CANDIDATES}")
    WeightFormat format;

    @Option(names = "--model-name", paramLabel = "NAME", order = 7,
            description = "the model's id in requests and /v1/models (default: the checkpoint's directory "
                    + "name, or gpt2-random-seedN)")
    String modelName;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "16", order = 8,
            description = "completions decoded together at most, 1 to 256")
    void maxBatch(int n) {
        maxBatch = checked("--max-batch", n, 1, 256);
    }

    @Option(names = "--max-queue", paramLabel = "N", defaultValue = "64", order = 9,
            description = "requests waiting for a place at most (more get 429), 1 to 100000")
    void maxQueue(int n) {
        maxQueue = checked("--max-queue", n, 1, 100_000);
    }

    @Option(names = "--max-tokens-limit", paramLabel = "N", defaultValue = "1024", order = 10,
            description = "the largest max_tokens a request may ask for")
    void maxTokensLimit(int n) {
        maxTokensLimit = checked("--max-tokens-limit", n, 1, GenerateCommand.MAX_TOKENS);
    }

    @Option(names = "--sample-seed", paramLabel = "N", order = 11,
            description = "the seed of a sampled request that gives none (default: a random one per request)")
    Long sampleSeed;

    @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", defaultValue = "10", order = 12,
            description = "on SIGTERM, how long running completions may take to finish before they are cancelled")
    void shutdownTimeout(int n) {
        shutdownTimeout = checked("--shutdown-timeout", n, 0, 3600);
    }

    private int checked(String option, int n, int min, int max) {
        if (n < min || n > max) {
            throw new ParameterException(spec.commandLine(), option + " " + n + ": must be " + min + " to " + max);
        }
        return n;
    }

    @Override
    public Integer call() throws Exception {
        if (weights != null && spec.commandLine().getParseResult().hasMatchedOption("--context-length")) {
            throw new ParameterException(spec.commandLine(), "--context-length is the random model's; "
                    + "a checkpoint has its own");
        }
        String name = modelName != null ? modelName
                : weights != null ? String.valueOf(weights.toAbsolutePath().getParent().getFileName())
                : "gpt2-random-seed" + seed;
        ServerOptions options = new ServerOptions(host, port, maxBatch, maxQueue, maxTokensLimit,
                ServerOptions.DEFAULT_BODY_LIMIT, sampleSeed, shutdownTimeout);
        PrintWriter err = spec.commandLine().getErr();
        CountDownLatch stop = new CountDownLatch(1);
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> stop.countDown());
        }
        // The random model with this seed, or the checkpoint, built as generate builds it (kernels warmed up).
        try (GptModel gpt = Generate.build(seed, format, weights, contextLength, threads.kernels(),
                Progress.onTerminal(err));
             CompletionServer server = new CompletionServer(gpt, name, options)) {
            var at = server.address();
            err.printf("vecgpt serve: %s on http://%s:%d/v1 (batch %d, queue %d); SIGTERM or Ctrl-C stops it%n",
                    name, at.getHostString(), at.getPort(), maxBatch, maxQueue);
            err.flush();
            stop.await();
            err.println("vecgpt serve: stopping (running completions get " + shutdownTimeout + " s)");
            err.flush();
            server.shutdown();
        }
        err.println("vecgpt serve: stopped");
        err.flush();
        return 0;
    }
}
