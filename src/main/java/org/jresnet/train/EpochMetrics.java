package org.jresnet.train;

/**
 * One row of {@code metrics.jsonl}/{@code metrics.csv}: errors are fractions in [0,1]; fields that
 * were not measured (no {@code --val}) are NaN and written as empty / absent.
 */
public record EpochMetrics(int epoch, long iteration, double trainLoss, double trainErr,
                           double testLoss, double testErr, double valErr, double lr, double elapsedS) {
}
