package org.jresnet.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.jresnet.tensor.Tensor;

/**
 * Builds batch k of epoch e: the images at positions {@code [k*B, (k+1)*B)} of the epoch's order,
 * each transformed with its own generator keyed by (seed, epoch, image index). The content
 * depends only on (seed, epoch, k), so it is the same whatever the threads, the prefetch timing or
 * the batch a run resumed at. With {@code workers > 1} a batch's images are built by that many
 * threads (for streamed datasets, where each image is decoded here).
 *
 * <p>A corrupt image of a streamed dataset opened with skipBad is replaced by the next decodable
 * image of the dataset (index + 1, wrapping): a rule of the files alone, so still deterministic.
 */
public final class BatchLoader implements AutoCloseable {
    private final Dataset ds;
    private final Transform transform;
    private final IntFunction<int[]> orderOfEpoch;
    private final int batchSize;
    private final boolean dropLast;
    private final long seed;
    private final int workers;
    private final ExecutorService pool;
    private final Set<String> badImages = ConcurrentHashMap.newKeySet();
    private int cachedEpoch = Integer.MIN_VALUE;
    private int[] cachedOrder;

    /**
     * @param orderOfEpoch dataset indices in the order of a given epoch (same length every epoch)
     * @param dropLast     drop the last partial batch (training, as the reference) or keep it (evaluation)
     */
    public BatchLoader(Dataset ds, Transform transform, IntFunction<int[]> orderOfEpoch, int batchSize,
                       boolean dropLast, long seed, int workers) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        this.ds = ds;
        this.transform = transform;
        this.orderOfEpoch = orderOfEpoch;
        this.batchSize = batchSize;
        this.dropLast = dropLast;
        this.seed = seed;
        this.workers = workers;
        this.pool = workers > 1 ? Executors.newFixedThreadPool(workers - 1, r -> {
            Thread t = new Thread(r, "jresnet-batch");
            t.setDaemon(true);
            return t;
        }) : null;
        if (batchesPerEpoch() == 0) {
            throw new DataException(imagesPerEpoch() + " images make no full batch of " + batchSize);
        }
    }

    /** Training: the plan's epoch permutations, last partial batch dropped. */
    public static BatchLoader training(Dataset ds, EpochPlan plan, Transform t, int batchSize) {
        return new BatchLoader(ds, t, plan::order, batchSize, true, plan.seed(), defaultWorkers(ds));
    }

    /** Evaluation: {@code indices} in the given order every epoch, all images kept. */
    public static BatchLoader evaluation(Dataset ds, int[] indices, Transform t, int batchSize) {
        int[] fixed = indices.clone();
        return new BatchLoader(ds, t, e -> fixed, batchSize, false, 0, defaultWorkers(ds));
    }

    /** All of {@code ds} in index order. */
    public static int[] all(Dataset ds) {
        int[] a = new int[ds.size()];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return a;
    }

    /** One thread for in-memory data (a CIFAR batch takes about a millisecond), all cores when decoding. */
    public static int defaultWorkers(Dataset ds) {
        return ds instanceof InMemoryDataset ? 1 : Runtime.getRuntime().availableProcessors();
    }

    public int batchSize() { return batchSize; }

    public int imagesPerEpoch() { return order(0).length; }

    public int batchesPerEpoch() {
        int n = imagesPerEpoch();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Corrupt images met (and replaced) so far; streamed datasets with skipBad only. */
    public int skippedImages() { return badImages.size(); }

    private synchronized int[] order(int epoch) {
        if (epoch != cachedEpoch) {
            cachedOrder = orderOfEpoch.apply(epoch);
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }

    public Batch batch(int epoch, int k) {
        int nb = batchesPerEpoch();
        if (k < 0 || k >= nb) throw new IllegalArgumentException("batch " + k + " outside 0.." + (nb - 1));
        int[] order = order(epoch);
        int start = k * batchSize, b = Math.min(batchSize, order.length - start);
        Transform t = transform.forEpoch(epoch);
        int h = t.height(), w = t.width(), per = h * w * 3;
        float[] x = new float[b * per];
        int[] labels = new int[b], indices = new int[b];
        int parts = Math.min(workers, b);
        if (parts <= 1) {
            fill(t, epoch, order, start, 0, b, x, per, labels, indices);
        } else {
            List<Future<?>> fs = new ArrayList<>();
            for (int p = 1; p < parts; p++) {
                int s = b * p / parts, e = b * (p + 1) / parts;
                fs.add(pool.submit(() -> fill(t, epoch, order, start, s, e, x, per, labels, indices)));
            }
            fill(t, epoch, order, start, 0, b / parts, x, per, labels, indices);
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DataException("interrupted while building a batch");
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) throw re;
                    if (c instanceof Error er) throw er;
                    throw new DataException("building a batch failed: " + c, c);
                }
            }
        }
        return new Batch(epoch, k, Tensor.of(x, b, h, w, 3), labels, indices);
    }

    private void fill(Transform transform, int epoch, int[] order, int start, int from, int to, float[] x, int per,
                      int[] labels, int[] indices) {
        for (int j = from; j < to; j++) {
            int idx = order[start + j];
            for (int tries = 0; ; tries++) {
                try {
                    transform.apply(ds, idx, Rng.forKey(seed, EpochPlan.AUGMENT, epoch, idx), x, j * per);
                    break;
                } catch (BadImageException e) {
                    if (!ds.skipBad() || tries + 1 >= ds.size()) throw e;
                    if (badImages.add(e.source())) System.err.println("jresnet: skipping " + e.getMessage());
                    idx = (idx + 1) % ds.size();
                }
            }
            labels[j] = ds.label(idx);
            indices[j] = idx;
        }
    }

    /** A prefetcher over batches {@code startBatch..} of {@code epoch}, {@code depth} batches ahead. */
    public Prefetcher prefetch(int epoch, int startBatch, int depth) {
        return new Prefetcher(this, epoch, startBatch, depth);
    }

    @Override public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
