package org.jresnet.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.function.ToIntFunction;

/** What {@code GET /metrics} reports, in Prometheus text format; one registry per server. */
final class ServerMetrics {
    /** Request latency buckets, seconds: 1 ms (a 32x32 net) to 10 s (a full queue of ResNet-50s). */
    private static final double[] LATENCY_BOUNDS = {.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests, errors;
    private final Histogram latency, batchSize, batchSeconds;

    ServerMetrics(int maxBatch, List<String> models, ToIntFunction<String> queueDepth) {
        requests = Counter.builder().name("jresnet_http_requests_total").help("HTTP requests by route, method and status code")
                .labelNames("route", "method", "code").register(registry);
        errors = Counter.builder().name("jresnet_http_errors_total").help("HTTP requests answered with status >= 400")
                .labelNames("route", "code").register(registry);
        latency = Histogram.builder().name("jresnet_http_request_duration_seconds").help("Time from request to response")
                .labelNames("route").classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
        batchSize = Histogram.builder().name("jresnet_batch_size").help("Images per forward pass")
                .labelNames("model").classicOnly().classicUpperBounds(powersOfTwo(maxBatch)).register(registry);
        batchSeconds = Histogram.builder().name("jresnet_batch_duration_seconds").help("Time of one forward pass")
                .labelNames("model").classicOnly().classicUpperBounds(LATENCY_BOUNDS).register(registry);
        GaugeWithCallback.builder().name("jresnet_queue_depth").help("Images waiting for a batch").labelNames("model")
                .callback(cb -> {
                    for (String m : models) cb.call(queueDepth.applyAsInt(m), m);
                }).register(registry);
    }

    /** 1, 2, 4, ... up to and including {@code max}. */
    private static double[] powersOfTwo(int max) {
        java.util.List<Double> b = new java.util.ArrayList<>();
        for (int v = 1; v < max; v *= 2) b.add((double) v);
        b.add((double) max);
        return b.stream().mapToDouble(Double::doubleValue).toArray();
    }

    void request(String route, String method, int code, double seconds) {
        String c = Integer.toString(code);
        requests.labelValues(route, method, c).inc();
        if (code >= 400) errors.labelValues(route, c).inc();
        latency.labelValues(route).observe(seconds);
    }

    void batch(String model, int size, long nanos) {
        batchSize.labelValues(model).observe(size);
        batchSeconds.labelValues(model).observe(nanos / 1e9);
    }

    String scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape(), io.prometheus.metrics.config.EscapingScheme.ALLOW_UTF8);
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    static String contentType() { return PrometheusTextFormatWriter.CONTENT_TYPE; }
}
