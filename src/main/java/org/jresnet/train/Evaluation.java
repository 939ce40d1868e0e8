package org.jresnet.train;

import java.util.List;
import org.jresnet.data.Batch;
import org.jresnet.data.BatchLoader;
import org.jresnet.data.Dataset;
import org.jresnet.data.Prefetcher;
import org.jresnet.data.Transform;
import org.jresnet.nn.Layer;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;

/**
 * A model's scores on a set of images in eval mode (running BN statistics): top-1, top-5, mean
 * loss, per-class accuracy and the confusion matrix (rows = true class, columns = predicted),
 * plus every image's predicted class in the order evaluated.
 *
 * <p>With test-time augmentation ({@link TestViews}) each image is scored by the mean of the
 * logits of its views (with flipping: the image and its horizontal mirror, both in-distribution
 * as the training augmentation flips); the loss, top-1 and top-5 are those of the mean logits.
 * Each view costs a forward pass per batch.
 */
public record Evaluation(int n, double top1, double top5, double loss, List<String> classes,
                         double[] perClass, long[][] confusion, int[] predictions) {

    /** Prefetched batches ahead of the engine. */
    private static final int PREFETCH_DEPTH = 2;

    public static Evaluation run(Layer model, Dataset ds, int[] indices, Transform transform, int batch) {
        return run(model, ds, indices, transform, batch, false);
    }

    /** As {@link #run(Layer, Dataset, int[], Transform, int)}, with test-time flipping when {@code flip}. */
    public static Evaluation run(Layer model, Dataset ds, int[] indices, Transform transform, int batch, boolean flip) {
        return run(model, ds, indices, transform, batch, flip ? TestViews.FLIP : TestViews.NONE);
    }

    /** As {@link #run(Layer, Dataset, int[], Transform, int)}, scoring the mean logits of the {@code views}. */
    public static Evaluation run(Layer model, Dataset ds, int[] indices, Transform transform, int batch,
                                 TestViews views) {
        boolean wasTraining = model.isTraining();
        model.setTraining(false);
        int k = ds.numClasses();
        long[][] confusion = new long[k][k];
        int[] predictions = new int[indices.length];
        long top1 = 0, top5 = 0;
        double lossSum = 0;
        int n = 0;
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        Tensor viewed = null, mean = null;
        int count = views.count();
        try (BatchLoader loader = BatchLoader.evaluation(ds, indices, transform, batch);
             Prefetcher it = loader.prefetch(0, 0, PREFETCH_DEPTH)) {
            while (it.hasNext()) {
                Batch b = it.next();
                Tensor logits = model.infer(b.images());
                if (logits.dim(1) != k) {
                    throw new IllegalArgumentException("the model has " + logits.dim(1) + " classes, the data " + k);
                }
                if (count > 1) {
                    // The model owns its output and overwrites it on the next forward: keep a copy first.
                    mean = Tensor.reuse(mean, logits.shape());
                    System.arraycopy(logits.data(), logits.offset(), mean.data(), mean.offset(), logits.size());
                    viewed = Tensor.reuse(viewed, b.images().shape());
                    for (int v = 1; v < count; v++) {
                        TestViews.view(b.images(), viewed, views.mirrored(v), views.shift(v));
                        add(mean, model.infer(viewed));
                    }
                    divide(mean, count);
                    logits = mean;
                }
                lossSum += (double) ce.forward(logits, b.labels()) * b.size();
                for (int i = 0; i < b.size(); i++) {
                    int label = b.labels()[i];
                    int pred = SoftmaxCrossEntropy.argmax(logits.data(), logits.offset() + i * k, k);
                    predictions[n + i] = pred;
                    confusion[label][pred]++;
                    if (pred == label) top1++;
                    if (rankOf(logits, i, label) < 5) top5++;
                }
                n += b.size();
            }
        } finally {
            model.setTraining(wasTraining);
        }
        double[] perClass = new double[k];
        for (int c = 0; c < k; c++) {
            long total = 0;
            for (long v : confusion[c]) total += v;
            perClass[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return new Evaluation(n, (double) top1 / n, (double) top5 / n, lossSum / n, ds.classes(), perClass,
                confusion, predictions);
    }

    /** {@code sum += other}, elementwise. */
    private static void add(Tensor sum, Tensor other) {
        float[] a = sum.data(), b = other.data();
        for (int i = 0, ao = sum.offset(), bo = other.offset(), e = sum.size(); i < e; i++) a[ao + i] += b[bo + i];
    }

    /** {@code sum /= count}, elementwise (for two views exactly the former {@code 0.5f * (a + b)}). */
    private static void divide(Tensor sum, int count) {
        float[] a = sum.data();
        for (int i = sum.offset(), e = i + sum.size(); i < e; i++) a[i] /= count;
    }

    /** How many classes score strictly higher than {@code label} for image {@code i} (0 = top-1). */
    private static int rankOf(Tensor logits, int i, int label) {
        int k = logits.dim(1), row = logits.offset() + i * k, rank = 0;
        float[] z = logits.data();
        float v = z[row + label];
        for (int j = 0; j < k; j++) if (z[row + j] > v || (z[row + j] == v && j < label)) rank++;
        return rank;
    }

    public double error() { return 1 - top1; }
}
