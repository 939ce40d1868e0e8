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
 */
public record Evaluation(int n, double top1, double top5, double loss, List<String> classes,
                         double[] perClass, long[][] confusion, int[] predictions) {

    /** Prefetched batches ahead of the engine. */
    private static final int PREFETCH_DEPTH = 2;

    public static Evaluation run(Layer model, Dataset ds, int[] indices, Transform transform, int batch) {
        boolean wasTraining = model.isTraining();
        model.setTraining(false);
        int k = ds.numClasses();
        long[][] confusion = new long[k][k];
        int[] predictions = new int[indices.length];
        long top1 = 0, top5 = 0;
        double lossSum = 0;
        int n = 0;
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        try (BatchLoader loader = BatchLoader.evaluation(ds, indices, transform, batch);
             Prefetcher it = loader.prefetch(0, 0, PREFETCH_DEPTH)) {
            while (it.hasNext()) {
                Batch b = it.next();
                Tensor logits = model.forward(b.images());
                if (logits.dim(1) != k) {
                    throw new IllegalArgumentException("the model has " + logits.dim(1) + " classes, the data " + k);
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
