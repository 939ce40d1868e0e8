package org.jresnet.data;

import java.util.Arrays;

/**
 * Which images train and which validate, and the order of each training epoch, all fixed by the
 * seed: validation is the last {@code valCount} images of a seeded permutation of the dataset
 * (the paper's 45k/5k split with {@code valCount = 5000}); epoch {@code e} visits the training
 * images in a permutation keyed by (seed, e), so resuming at batch k of epoch e needs no state.
 */
public final class EpochPlan {
    /** Key purposes, so the streams of different choices never coincide. */
    static final long VAL_SPLIT = 1, EPOCH_ORDER = 2, AUGMENT = 3;

    private final int[] train;
    private final int[] val;
    private final long seed;

    public EpochPlan(int datasetSize, int valCount, long seed) {
        if (valCount < 0 || valCount >= datasetSize) {
            throw new IllegalArgumentException("cannot hold out " + valCount + " of " + datasetSize
                    + " training images for validation");
        }
        this.seed = seed;
        int[] all = new int[datasetSize];
        for (int i = 0; i < datasetSize; i++) all[i] = i;
        if (valCount > 0) Rng.forKey(seed, VAL_SPLIT).shuffle(all);
        train = Arrays.copyOf(all, datasetSize - valCount);
        val = Arrays.copyOfRange(all, datasetSize - valCount, datasetSize);
        Arrays.sort(train);
        Arrays.sort(val);
    }

    public long seed() { return seed; }

    /** Training image indices, ascending. */
    public int[] train() { return train.clone(); }

    /** Held-out validation image indices, ascending (empty without a split). */
    public int[] val() { return val.clone(); }

    /** The training images in the order of epoch {@code epoch} (0-based). */
    public int[] order(int epoch) {
        int[] o = train.clone();
        Rng.forKey(seed, EPOCH_ORDER, epoch).shuffle(o);
        return o;
    }
}
