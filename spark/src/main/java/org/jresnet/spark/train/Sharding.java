package org.jresnet.spark.train;

import java.util.Arrays;

/**
 * Which images of a global batch a worker trains on: global batch k of epoch e is exactly the
 * single-machine run's batch k (same seed, same permutation); rank r takes positions
 * [r·b, (r+1)·b) of it, b = batch / workers.
 */
public final class Sharding {
    private Sharding() {}

    /** Local batch size; refuses a global batch the workers cannot split evenly. */
    public static int localBatch(int globalBatch, int workers) {
        if (workers < 1 || globalBatch % workers != 0 || globalBatch < workers) {
            throw new IllegalArgumentException(String.format(
                    "--batch %d does not split into %d equal worker batches", globalBatch, workers));
        }
        return globalBatch / workers;
    }

    /** Rank {@code rank}'s slice of one global batch's image indices. */
    public static int[] slice(int[] globalBatch, int rank, int workers) {
        int b = localBatch(globalBatch.length, workers);
        return Arrays.copyOfRange(globalBatch, rank * b, (rank + 1) * b);
    }
}
