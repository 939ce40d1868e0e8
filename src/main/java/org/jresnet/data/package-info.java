/**
 * Datasets and input pipeline: reading (CIFAR-10 binary, ImageFolder directories and zips),
 * decoding (PIL-identical pixels, parallel, cached as uint8), augmentation and normalisation
 * (the paper's CIFAR recipe, torchvision's ImageNet recipe), epoch order, batches, prefetching.
 *
 * <p>Typical training use:
 * <pre>{@code
 * LoadOptions opt = LoadOptions.defaults().withCacheDir(cacheDir).withSkipBad(skipBad).withQuiet(quiet);
 * Dataset train = Datasets.open(path, Split.TRAIN, opt), test = Datasets.open(path, Split.TEST, opt);
 * EpochPlan plan = new EpochPlan(train.size(), valCount, seed);          // --val N
 * Normalization norm = ChannelStatistics.normalization(train, plan.train(), threads); // or new Normalization(mean, std)
 * try (BatchLoader loader = BatchLoader.training(train, plan, Transforms.train(train, norm), 128)) {
 *     for (int e = startEpoch; e < epochs; e++) {
 *         try (Prefetcher p = loader.prefetch(e, e == startEpoch ? startBatch : 0, 2)) {
 *             while (p.hasNext()) { Batch b = p.next(); ... b.images() [B,H,W,3], b.labels() ... }
 *         }
 *     }
 * }
 * BatchLoader eval = BatchLoader.evaluation(test, BatchLoader.all(test), Transforms.eval(test, norm), 500);
 * }</pre>
 * A batch's content is a function of (seed, epoch, batch index) only, so a run resumed at batch
 * k of epoch e sees exactly the batches an uninterrupted run would.
 */
package org.jresnet.data;
