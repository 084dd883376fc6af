package dev.vecgpt.model.serve;

/**
 * How {@link CompletionServer} listens and what it allows.
 *
 * @param host            the address to listen on (loopback by default: nothing here authenticates)
 * @param port            the port, or 0 for any free one
 * @param maxBatch        sequences decoded together at most
 * @param maxQueue        requests waiting for a place at most; more are refused with 429
 * @param maxTokensLimit  the largest {@code max_tokens} a request may ask for
 * @param maxBodyBytes    the largest request body; longer ones are refused with 413
 * @param sampleSeed      the seed of a sampled request that names none, or null for a fresh random one each time
 * @param shutdownSeconds how long a shutdown lets running completions finish before cancelling them
 */
public record ServerOptions(String host, int port, int maxBatch, int maxQueue, int maxTokensLimit, int maxBodyBytes,
                            Long sampleSeed, int shutdownSeconds) {

    public static final int DEFAULT_BODY_LIMIT = 1 << 20;

    public ServerOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port is " + port + ", must be 0 to 65535");
        }
        if (maxBatch < 1 || maxQueue < 1 || maxTokensLimit < 1 || maxBodyBytes < 1 || shutdownSeconds < 0) {
            throw new IllegalArgumentException("limits must be at least 1 (shutdown seconds at least 0): " + this);
        }
    }

    /** Loopback, the given port, batch 16, queue 64, up to 1024 new tokens, 1 MiB bodies, random seeds, 10 s to stop. */
    public static ServerOptions defaults(int port) {
        return new ServerOptions("127.0.0.1", port, 16, 64, 1024, DEFAULT_BODY_LIMIT, null, 10);
    }

    public ServerOptions withLimits(int maxBatch, int maxQueue, int maxTokensLimit) {
        return new ServerOptions(host, port, maxBatch, maxQueue, maxTokensLimit, maxBodyBytes, sampleSeed, shutdownSeconds);
    }

    public ServerOptions withSampleSeed(Long seed) {
        return new ServerOptions(host, port, maxBatch, maxQueue, maxTokensLimit, maxBodyBytes, seed, shutdownSeconds);
    }

    public ServerOptions withBodyLimit(int bytes) {
        return new ServerOptions(host, port, maxBatch, maxQueue, maxTokensLimit, bytes, sampleSeed, shutdownSeconds);
    }
}
