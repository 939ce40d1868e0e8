package org.jresnet.serve;

/**
 * How {@code serve} runs: where it listens, how it batches, what it refuses.
 *
 * @param host          address to bind (127.0.0.1 unless the user says otherwise)
 * @param port          TCP port (0: any free one, for tests)
 * @param maxBatch      images per forward pass at most
 * @param maxDelayMs    how long the first queued image waits for a batch to fill
 * @param queue         images waiting per model at most; beyond, 503 with Retry-After
 * @param apiKey        when set, {@code Authorization: Bearer KEY} is required on all but /healthz
 * @param corsOrigin    when set, the one origin CORS headers allow; none otherwise
 * @param maxBodyBytes  request body limit (413 beyond)
 * @param maxPixels     decoded-image limit, checked from the header before decoding (413 beyond)
 * @param warmupBatches forward passes per model before /readyz says ready
 * @param drainSeconds  how long a stop waits for requests in flight
 */
public record ServerConfig(String host, int port, int maxBatch, int maxDelayMs, int queue, String apiKey,
                           String corsOrigin, long maxBodyBytes, long maxPixels, int warmupBatches, int drainSeconds) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080, DEFAULT_MAX_BATCH = 16, DEFAULT_MAX_DELAY_MS = 5, DEFAULT_QUEUE = 256;
    public static final long DEFAULT_MAX_BODY_BYTES = 20L << 20;
    /** PIL's decompression-bomb warning threshold. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    public static final int DEFAULT_WARMUP_BATCHES = 3, DEFAULT_DRAIN_SECONDS = 30;

    public ServerConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("--host must not be empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        if (maxBatch < 1) throw new IllegalArgumentException("--max-batch must be >= 1, got " + maxBatch);
        if (maxDelayMs < 0) throw new IllegalArgumentException("--max-delay-ms must be >= 0, got " + maxDelayMs);
        if (queue < maxBatch) throw new IllegalArgumentException("--queue must be >= --max-batch (" + maxBatch + "), got " + queue);
        if (apiKey != null && apiKey.isBlank()) throw new IllegalArgumentException("--api-key must not be empty");
        if (maxBodyBytes < 1) throw new IllegalArgumentException("--max-body must be >= 1 byte");
        if (maxPixels < 1) throw new IllegalArgumentException("--max-pixels must be >= 1");
        if (warmupBatches < 0) throw new IllegalArgumentException("--warmup must be >= 0");
        if (drainSeconds < 0) throw new IllegalArgumentException("drain time must be >= 0");
    }

    /** The defaults of {@code serve} with no options. */
    public static ServerConfig defaults() {
        return new ServerConfig(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BATCH, DEFAULT_MAX_DELAY_MS, DEFAULT_QUEUE, null,
                null, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_WARMUP_BATCHES, DEFAULT_DRAIN_SECONDS);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, maxBatch, maxDelayMs, queue, apiKey, corsOrigin, maxBodyBytes, maxPixels,
                warmupBatches, drainSeconds);
    }

    public ServerConfig withBatching(int batch, int delayMs, int queueImages) {
        return new ServerConfig(host, port, batch, delayMs, queueImages, apiKey, corsOrigin, maxBodyBytes, maxPixels,
                warmupBatches, drainSeconds);
    }

    public ServerConfig withLimits(long bodyBytes, long pixels) {
        return new ServerConfig(host, port, maxBatch, maxDelayMs, queue, apiKey, corsOrigin, bodyBytes, pixels,
                warmupBatches, drainSeconds);
    }

    public ServerConfig withAccess(String key, String cors) {
        return new ServerConfig(host, port, maxBatch, maxDelayMs, queue, key, cors, maxBodyBytes, maxPixels,
                warmupBatches, drainSeconds);
    }

    public ServerConfig withWarmup(int batches) {
        return new ServerConfig(host, port, maxBatch, maxDelayMs, queue, apiKey, corsOrigin, maxBodyBytes, maxPixels,
                batches, drainSeconds);
    }

    @Override public String toString() {
        // Never print the key.
        return "ServerConfig[host=" + host + ", port=" + port + ", maxBatch=" + maxBatch + ", maxDelayMs=" + maxDelayMs
                + ", queue=" + queue + ", apiKey=" + (apiKey == null ? "none" : "set") + ", cors=" + corsOrigin + "]";
    }
}
