package org.jresnet.train;

/**
 * One row of {@code metrics.jsonl}/{@code metrics.csv}: errors are fractions in [0,1]; fields that
 * were not measured (no {@code --val}) are NaN and written as empty / absent. {@code times} (where
 * the epoch went) goes to {@code metrics.jsonl} only; rows of older files have {@link EpochTimes#UNKNOWN}.
 */
public record EpochMetrics(int epoch, long iteration, double trainLoss, double trainErr,
                           double testLoss, double testErr, double valErr, double lr, double elapsedS,
                           EpochTimes times) {
    public EpochMetrics {
        if (times == null) times = EpochTimes.UNKNOWN;
    }

    /** A row without its time breakdown. */
    public EpochMetrics(int epoch, long iteration, double trainLoss, double trainErr, double testLoss, double testErr,
                        double valErr, double lr, double elapsedS) {
        this(epoch, iteration, trainLoss, trainErr, testLoss, testErr, valErr, lr, elapsedS, EpochTimes.UNKNOWN);
    }
}
