package org.jresnet.nn;

import org.jresnet.tensor.Tensor;

/**
 * Softmax cross-entropy averaged over the batch (PyTorch's {@code CrossEntropyLoss()}):
 * loss = mean_n (logsumexp(z_n) - z_n[label_n]); dL/dz = (softmax(z) - onehot) / N.
 *
 * <p>With label smoothing ε (PyTorch's {@code CrossEntropyLoss(label_smoothing=ε)}, Szegedy et
 * al. 2016) the target is {@code q = (1-ε)·onehot + ε/K} instead of the one-hot vector:
 * loss = mean_n [(1-ε)(logsumexp(z_n) - z_n[label_n]) + ε(logsumexp(z_n) - mean_j z_n[j])],
 * dL/dz = (softmax(z) - q) / N. ε = 0 runs exactly the arithmetic of the plain loss.
 * Not a {@link Layer}: it takes labels and ends the graph. Row work is tiny (classes per image),
 * so it runs in double on the calling thread.
 */
public final class SoftmaxCrossEntropy {
    private final double smoothing;
    private Tensor dlogits; // [N, K]
    private int correct;

    /** The plain loss (no label smoothing). */
    public SoftmaxCrossEntropy() { this(0); }

    /** With label smoothing {@code smoothing} in [0, 1). */
    public SoftmaxCrossEntropy(double smoothing) {
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
        }
        this.smoothing = smoothing;
    }

    public double labelSmoothing() { return smoothing; }

    /** Mean loss over the batch; keeps dL/dlogits for {@link #backward()} and the top-1 count. */
    public float forward(Tensor logits, int[] labels) {
        if (logits.rank() != 2 || logits.dim(0) != labels.length) {
            throw new IllegalArgumentException("logits " + logits + " do not match " + labels.length + " labels");
        }
        int n = logits.dim(0), k = logits.dim(1);
        dlogits = Tensor.reuse(dlogits, n, k);
        float[] z = logits.data(), g = dlogits.data();
        int zo = logits.offset(), go = dlogits.offset();
        double total = 0;
        correct = 0;
        for (int i = 0; i < n; i++) {
            int label = labels[i];
            if (label < 0 || label >= k) throw new IllegalArgumentException("label " + label + " outside [0, " + k + ")");
            int row = zo + i * k;
            int best = argmax(z, row, k);
            if (best == label) correct++;
            double max = z[row + best], sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(z[row + j] - max);
            if (smoothing == 0) {
                total += max + Math.log(sum) - z[row + label];
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(z[row + j] - max) / sum;
                    g[go + i * k + j] = (float) ((p - (j == label ? 1 : 0)) / n);
                }
                continue;
            }
            double lse = max + Math.log(sum), zSum = 0;
            for (int j = 0; j < k; j++) zSum += z[row + j];
            total += (1 - smoothing) * (lse - z[row + label]) + smoothing * (lse - zSum / k);
            double off = smoothing / k, on = 1 - smoothing + off;
            for (int j = 0; j < k; j++) {
                double p = Math.exp(z[row + j] - max) / sum;
                g[go + i * k + j] = (float) ((p - (j == label ? on : off)) / n);
            }
        }
        return (float) (total / n);
    }

    /** dL/dlogits of the last {@link #forward}, for dL = 1. */
    public Tensor backward() { return dlogits; }

    /** Images of the last batch whose top-1 prediction equals the label. */
    public int correct() { return correct; }

    /** Top-1 correct count of {@code logits [N,K]} against {@code labels}. */
    public static int correctCount(Tensor logits, int[] labels) {
        int n = logits.dim(0), k = logits.dim(1), c = 0;
        for (int i = 0; i < n; i++) if (argmax(logits.data(), logits.offset() + i * k, k) == labels[i]) c++;
        return c;
    }

    /**
     * Softmax of {@code z[off .. off+k)} in double, the largest subtracted first: the probabilities
     * predict, explain, the server and the API report, the same bits for the same logits.
     */
    public static double[] probabilities(float[] z, int off, int k) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        double[] p = new double[k];
        for (int j = 0; j < k; j++) max = Math.max(max, z[off + j]);
        for (int j = 0; j < k; j++) sum += p[j] = Math.exp(z[off + j] - max);
        for (int j = 0; j < k; j++) p[j] /= sum;
        return p;
    }

    /** Index of the largest of {@code z[row .. row+k)}, the first on ties. */
    public static int argmax(float[] z, int row, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) if (z[row + j] > z[row + best]) best = j;
        return best;
    }
}
