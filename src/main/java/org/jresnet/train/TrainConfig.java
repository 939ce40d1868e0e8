package org.jresnet.train;

import java.nio.file.Path;

/**
 * Everything that defines a training run. It is stored in the checkpoint, so {@code --resume DIR}
 * needs nothing else and a resumed run cannot silently differ from the original.
 *
 * @param data        dataset path (CIFAR binary folder, ImageFolder folder or zip)
 * @param init        weights to start from (fine-tuning), or null
 * @param numClasses  classes of the classifier; 0 = as many as the dataset has
 * @param val         training images held out for validation (the paper's 45k/5k split), 0 = none
 * @param ckptEvery   also checkpoint every this many iterations (0 = only at epoch ends)
 * @param mean        per-channel normalisation mean, or null to compute it from the training split
 */
public record TrainConfig(String model, String shortcut, Path data, Path out, int epochs, int batch,
                          double lr, double momentum, double weightDecay, boolean nesterov,
                          String schedule, int[] milestones, double gamma, int warmup,
                          double warmupLr, double warmupUntilError, long seed, int val, int ckptEvery,
                          Path init, int numClasses, boolean freezeBackbone, boolean zeroInitResidual,
                          double[] mean, double[] std, boolean skipBad, Path cacheDir, int threads) {

    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
        if (weightDecay < 0) throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        if (val < 0) throw new IllegalArgumentException("--val must be >= 0, got " + val);
        if (ckptEvery < 0) throw new IllegalArgumentException("--ckpt-every must be >= 0, got " + ckptEvery);
        if ((mean == null) != (std == null)) throw new IllegalArgumentException("give --mean and --std together");
        if (mean != null && (mean.length != 3 || std.length != 3)) {
            throw new IllegalArgumentException("--mean and --std take three values (R,G,B)");
        }
        if (std != null) for (double s : std) if (!(s > 0)) throw new IllegalArgumentException("--std values must be > 0");
    }
}
