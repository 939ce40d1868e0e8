package org.jresnet.spark.ml;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What {@link ResNetClassifier#fit} measured, per epoch (index 0 = epoch 1). Like MLlib's training
 * summaries it lives with the fitted model in this session and is not saved with it.
 *
 * @param workers          barrier tasks, one model replica each
 * @param imagesPerWorker  images each worker trained on per epoch (every worker the same number)
 * @param skippedImages    unreadable images left out (handleInvalid = skip)
 * @param droppedImages    readable images left out so that every worker holds the same number
 *                         (the larger shards' last rows; at most a few per input partition)
 * @param trainLoss        mean cross-entropy over the epoch's steps, of every worker's images
 * @param trainError       fraction misclassified during the epoch's steps (train mode, as the step saw them)
 * @param monitorError     after the epoch, in eval mode, on worker 0's first images (at most 512 of its
 *                         training shard): a training-set figure, not a held-out one
 */
public record ResNetTrainingSummary(int workers, int imagesPerWorker, long skippedImages, long droppedImages,
                                    double[] trainLoss, double[] trainError, double[] monitorError)
        implements Serializable {

    public ResNetTrainingSummary {
        trainLoss = trainLoss.clone();
        trainError = trainError.clone();
        monitorError = monitorError.clone();
    }

    @Override public double[] trainLoss() { return trainLoss.clone(); }
    @Override public double[] trainError() { return trainError.clone(); }
    @Override public double[] monitorError() { return monitorError.clone(); }

    public int epochs() { return trainLoss.length; }

    @Override public String toString() {
        return "ResNetTrainingSummary[workers=" + workers + ", imagesPerWorker=" + imagesPerWorker + ", skipped="
                + skippedImages + ", dropped=" + droppedImages + ", trainLoss=" + Arrays.toString(trainLoss)
                + ", trainError=" + Arrays.toString(trainError) + ", monitorError=" + Arrays.toString(monitorError) + "]";
    }
}
