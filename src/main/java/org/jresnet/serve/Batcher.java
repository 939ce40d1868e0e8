package org.jresnet.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching for one model (Triton's dynamic batcher, TorchServe's batch_size /
 * max_batch_delay): images from concurrent requests wait in a bounded queue; one thread takes up
 * to {@code maxBatch} of them as soon as that many wait, or once {@code maxDelay} has passed since
 * the later of the oldest image's arrival and the end of the previous batch, and runs them as one
 * forward pass. Counting the delay from the previous batch's end too is TorchServe's rule (its
 * worker collects for max_batch_delay once it is free): clients whose answers that batch just
 * sent can join the next one, where counting from arrival alone splits C closed-loop clients
 * into two alternating batches of C/2 for good (measured: ResNet-50, 16 clients, batches of 8). A request's images are admitted all or
 * none, so a full queue refuses whole requests (the caller answers 503) and never half of one.
 */
final class Batcher implements AutoCloseable {
    /** One image waiting for its outputs. */
    record Job(float[] image, CompletableFuture<Result> result, long enqueuedNanos) {}

    /** One image's outputs, and the size of the batch it ran in. */
    record Result(float[] logits, float[] features, int batchSize) {}

    /** Told about every batch run (for metrics). */
    interface Listener {
        void batch(int size, long nanos);
    }

    private final ModelRunner runner;
    private final int maxBatch, capacity;
    private final long maxDelayNanos;
    private final int warmupBatches;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final Thread thread;
    private final CompletableFuture<Void> warm = new CompletableFuture<>();
    private boolean closed;

    Batcher(String name, ModelRunner runner, int maxBatch, long maxDelayNanos, int capacity, int warmupBatches,
            Listener listener) {
        this.runner = runner;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelayNanos;
        this.capacity = capacity;
        this.warmupBatches = warmupBatches;
        this.listener = listener;
        this.thread = new Thread(this::run, "jresnet-batcher-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once the warm-up passes ran (the JIT has compiled the hot kernels). */
    CompletableFuture<Void> warm() { return warm; }

    /** The most images the queue holds. */
    int capacity() { return capacity; }

    int depth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues {@code images} (each {@code [H, W, 3]} normalised) and returns their futures in order,
     * or null when the queue has no room for all of them or the batcher is closing.
     */
    List<CompletableFuture<Result>> submit(List<float[]> images) {
        for (float[] im : images) {
            if (im.length != runner.imageFloats()) {
                throw new IllegalArgumentException("image of " + im.length + " floats, the model takes " + runner.imageFloats());
            }
        }
        long now = System.nanoTime();
        List<CompletableFuture<Result>> out = new ArrayList<>(images.size());
        lock.lock();
        try {
            if (closed || queue.size() + images.size() > capacity) return null;
            for (float[] im : images) {
                CompletableFuture<Result> f = new CompletableFuture<>();
                queue.add(new Job(im, f, now));
                out.add(f);
            }
            arrived.signal();
        } finally {
            lock.unlock();
        }
        return out;
    }

    /** Refuses new images, runs those queued, then ends the thread (waiting at most a minute for it). */
    @Override public void close() {
        lock.lock();
        try {
            closed = true;
            arrived.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            warmUp();
        } catch (Throwable t) {
            warm.completeExceptionally(t);
        }
        while (true) {
            List<Job> batch;
            try {
                batch = next();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) return;
            runBatch(batch);
        }
    }

    /** Alternates one-image and full batches: both shapes' code paths get compiled before the first user. */
    private void warmUp() {
        for (int i = 0; i < warmupBatches; i++) {
            int n = i % 2 == 0 ? maxBatch : 1;
            runner.forward(new float[n * runner.imageFloats()], n);
        }
        warm.complete(null);
    }

    /** Waits for the next batch: full, or the delay spent (see the class comment). Null once closed and empty. */
    private List<Job> next() throws InterruptedException {
        long free = System.nanoTime();   // the engine is free from now
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closed) return null;
                arrived.await();
            }
            long deadline = Math.max(queue.peek().enqueuedNanos(), free) + maxDelayNanos;
            while (queue.size() < maxBatch && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                arrived.awaitNanos(left);
            }
            int n = Math.min(maxBatch, queue.size());
            List<Job> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) batch.add(queue.poll());
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void runBatch(List<Job> batch) {
        int n = batch.size(), per = runner.imageFloats();
        long t0 = System.nanoTime();
        try {
            float[] x = new float[n * per];
            for (int i = 0; i < n; i++) System.arraycopy(batch.get(i).image(), 0, x, i * per, per);
            ModelRunner.Outputs o = runner.forward(x, n);
            int k = runner.classes(), f = runner.featureSize();
            listener.batch(n, System.nanoTime() - t0);
            for (int i = 0; i < n; i++) {
                float[] logits = java.util.Arrays.copyOfRange(o.logits(), i * k, (i + 1) * k);
                float[] feats = java.util.Arrays.copyOfRange(o.features(), i * f, (i + 1) * f);
                batch.get(i).result().complete(new Result(logits, feats, n));
            }
        } catch (Throwable t) {
            for (Job j : batch) j.result().completeExceptionally(t);
        }
    }
}
