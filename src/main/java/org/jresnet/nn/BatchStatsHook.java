package org.jresnet.nn;

/**
 * The seam for BN's batch statistics in training (synchronised BN across workers): each
 * {@link BatchNorm2d} hands its per-channel sums to the hook before using them, and the hook may
 * replace them in place, e.g. by sums over every worker's batch, returning the count they now
 * cover. Calls come in the same order on every worker (the network's order), one forward call per
 * BN per forward and one backward call per BN per backward. Without a hook BN uses its own batch.
 */
public interface BatchStatsHook {
    /**
     * Forward, before normalisation: {@code mean[c]} and {@code m2[c]} = sum of (x - mean)^2 over
     * {@code count} values per channel. Returns the count the (possibly replaced) statistics cover.
     */
    long forward(BatchNorm2d bn, double[] mean, double[] m2, long count);

    /**
     * Backward, before dx: {@code sumDy[c]} = sum of dy and {@code sumDyXc[c]} = sum of
     * dy * (x - mean) over {@code count} values (dgamma and dbeta are already taken from the
     * local sums; they reach other workers with the gradients). Returns the count of the sums.
     */
    default long backward(BatchNorm2d bn, double[] sumDy, double[] sumDyXc, long count) { return count; }
}
