package org.jresnet.train;

/**
 * Where a run is: enough, with the weights, BN statistics and momentum buffers of the checkpoint,
 * to continue bit for bit. Data order and augmentation are functions of (seed, epoch, index), so
 * the position ({@code epoch}, {@code batchInEpoch}) is all the data state there is.
 *
 * @param epoch        the epoch in progress, from 1
 * @param batchInEpoch batches of that epoch already done
 * @param iteration    global iteration count (the schedule's {@code it})
 * @param warmupDone   the error-based warm-up has ended
 * @param lossSum      sum of per-image training loss so far in this epoch (for the epoch's mean)
 * @param errors       misclassified training images so far in this epoch
 * @param seen         training images so far in this epoch
 * @param elapsedS     training wall time before this process
 * @param bestValErr   best validation error so far (NaN without --val)
 */
public record RunState(int epoch, int batchInEpoch, long iteration, boolean warmupDone, double lossSum,
                       long errors, long seen, double elapsedS, double bestValErr) {
    public static RunState start() {
        return new RunState(1, 0, 0, false, 0, 0, 0, 0, Double.NaN);
    }
}
