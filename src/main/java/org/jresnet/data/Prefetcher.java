package org.jresnet.data;

import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Prepares the next batches of an epoch on a background thread while the engine computes the
 * current one. The queue holds at most {@code depth} batches (bounded memory). Batches arrive in
 * order and are exactly {@link BatchLoader#batch} of the same (epoch, k): prefetching changes when
 * a batch is made, never what it holds. An error in the producer is rethrown by {@link #next()};
 * {@link #close()} stops the producer and waits for it. {@link #busyNanos()} is how long the
 * producer spent making batches (decoding, augmenting), for the trainer's record of its epoch.
 */
public final class Prefetcher implements AutoCloseable {
    private record Item(Batch batch, Throwable error) {}

    private final BlockingQueue<Item> queue;
    private final Thread producer;
    private final int total;
    private int taken;
    private volatile boolean closed;
    /** Written by the producer only (before it hands the batch over), read by the consumer. */
    private volatile long busyNanos;

    Prefetcher(BatchLoader loader, int epoch, int startBatch, int depth) {
        int nb = loader.batchesPerEpoch();
        if (depth < 1) throw new IllegalArgumentException("prefetch depth must be >= 1, got " + depth);
        if (startBatch < 0 || startBatch > nb) {
            throw new IllegalArgumentException("start batch " + startBatch + " outside 0.." + nb);
        }
        this.total = nb - startBatch;
        this.queue = new ArrayBlockingQueue<>(depth);
        this.producer = new Thread(() -> {
            try {
                for (int k = startBatch; k < nb && !closed; k++) {
                    long t = System.nanoTime();
                    Batch b = loader.batch(epoch, k);
                    busyNanos += System.nanoTime() - t;
                    queue.put(new Item(b, null));
                }
            } catch (InterruptedException e) {
                // close() asked us to stop
            } catch (Throwable t) {
                try {
                    if (!closed) queue.put(new Item(null, t));
                } catch (InterruptedException ignored) {
                    // closing anyway
                }
            }
        }, "jresnet-prefetch-e" + epoch);
        producer.setDaemon(true);
        producer.start();
    }

    /**
     * Nanoseconds the producer has spent building batches so far: all of it once the last batch
     * was taken. It runs beside the consumer, so it overlaps the consumer's own time.
     */
    public long busyNanos() { return busyNanos; }

    public boolean hasNext() { return !closed && taken < total; }

    /** The next batch, waiting for it if needed; rethrows a failure of the producer. */
    public Batch next() {
        if (!hasNext()) throw new NoSuchElementException("no more batches in this epoch");
        Item item;
        try {
            item = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while waiting for the next batch");
        }
        if (item.error != null) {
            close();
            Throwable t = item.error;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error er) throw er;
            throw new DataException("preparing a batch failed: " + t, t);
        }
        taken++;
        return item.batch;
    }

    @Override public void close() {
        closed = true;
        producer.interrupt();
        queue.clear();
        try {
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
