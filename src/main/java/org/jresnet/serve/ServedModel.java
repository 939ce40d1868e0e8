package org.jresnet.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.io.ModelMetadata;

/** A model as the server holds it: its description, its input pipeline and its own batcher. */
final class ServedModel {
    /** Longest a request waits for its batch before the server gives up on it (a stuck engine, not a slow one). */
    private static final long RESULT_TIMEOUT_S = 300;
    /** Seconds a client is told to wait when the queue is full: a full queue drains within a few batches. */
    static final String RETRY_AFTER_S = "1";

    final ModelSpec spec;
    final ImageInput input;
    final Batcher batcher;
    final int height, width;

    /** This model's own engine (thread pool): models run side by side, not in turns on one pool. */
    final Engine engine;

    ServedModel(ModelSpec spec, ServerConfig cfg, EngineConfig engine, Batcher.Listener listener) {
        this.spec = spec;
        int[] in = spec.metadata().inputSize();
        this.height = in[1];
        this.width = in[2];
        this.input = new ImageInput(spec.metadata(), cfg.maxPixels(), cfg.maxBodyBytes());
        this.engine = Engine.create(engine);
        ModelRunner runner = new ModelRunner(spec.model(), height, width, this.engine);
        this.batcher = new Batcher(spec.name(), runner, cfg.maxBatch(), TimeUnit.MILLISECONDS.toNanos(cfg.maxDelayMs()),
                cfg.queue(), cfg.warmupBatches(), listener);
    }

    String name() { return spec.name(); }
    ModelMetadata meta() { return spec.metadata(); }

    /**
     * 413 when one request holds more images than the queue can ever take: retrying cannot help
     * it, unlike a queue that is full for now (503). Checked before the images are decoded.
     */
    void checkImageCount(long n) {
        if (n > batcher.capacity()) {
            throw ApiException.tooLarge(n + " images in one request; this server takes at most " + batcher.capacity()
                    + " a request (serve --queue)");
        }
    }

    /** Runs {@code images} through the batcher and waits for them; 503 when the queue cannot take them all now. */
    List<Batcher.Result> infer(List<float[]> images) {
        checkImageCount(images.size());
        List<CompletableFuture<Batcher.Result>> futures = batcher.submit(images);
        if (futures == null) {
            throw new ApiException(503, "model '" + name() + "' is busy (queue full) or shutting down; retry later",
                    Map.of("Retry-After", RETRY_AFTER_S));
        }
        List<Batcher.Result> out = new ArrayList<>(images.size());
        try {
            for (CompletableFuture<Batcher.Result> f : futures) out.add(f.get(RESULT_TIMEOUT_S, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted while waiting for the model", Map.of("Retry-After", RETRY_AFTER_S));
        } catch (TimeoutException e) {
            throw new ApiException(500, "model '" + name() + "' gave no result within " + RESULT_TIMEOUT_S + " s");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IllegalStateException("inference failed: " + (c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage()), c);
        }
        return out;
    }

    /** The {@code GET /v1/models} entry. */
    Map<String, Object> describe(boolean isDefault) {
        ModelMetadata m = meta();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", name());
        d.put("architecture", m.model());
        d.put("default", isDefault);
        d.put("num_classes", m.numClasses());
        d.put("classes", m.classes());
        d.put("input_size", m.inputSize());
        d.put("mean", m.normalization().mean());
        d.put("std", m.normalization().std());
        d.put("parameters", spec.model().parameterCount());
        d.put("feature_size", spec.model().featureSize());
        if (spec.testTop1() != null) d.put("test_top1", spec.testTop1());
        return d;
    }
}
