package org.jresnet.data;

import java.util.Arrays;
import java.util.Locale;

/**
 * Per-channel normalisation {@code (v / 255 - mean[c]) / std[c]} in float32, the arithmetic of
 * torchvision's {@code ToTensor} + {@code Normalize} (and of the reference script), precomputed
 * as a 3x256 table so a batch costs one lookup per value.
 */
public final class Normalization {
    /** torchvision's ImageNet statistics, the usual choice for ImageNet-style datasets. */
    public static final Normalization IMAGENET =
            new Normalization(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});
    /** No normalisation beyond /255 (mean 0, std 1). */
    public static final Normalization UNIT = new Normalization(new double[] {0, 0, 0}, new double[] {1, 1, 1});

    private final double[] mean;
    private final double[] std;
    private final float[] table = new float[3 * 256];

    public Normalization(double[] mean, double[] std) {
        if (mean.length != 3 || std.length != 3) throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
        for (double s : std) {
            if (!(s > 0)) throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
        }
        this.mean = mean.clone();
        this.std = std.clone();
        for (int c = 0; c < 3; c++) {
            float m = (float) mean[c], s = (float) std[c];
            for (int v = 0; v < 256; v++) table[c * 256 + v] = ((float) v / 255f - m) / s;
        }
    }

    public double[] mean() { return mean.clone(); }
    public double[] std() { return std.clone(); }

    /** Normalised value of channel {@code c} with byte value {@code v} (0..255). */
    public float apply(int c, int v) { return table[c * 256 + v]; }

    /** The 3x256 lookup table, {@code [c * 256 + v]}. */
    float[] table() { return table; }

    /**
     * Mean and (population) std over all pixels of the given images, /255, as the reference
     * computes them from the training split ({@code x.reshape(-1, 3).mean(0) / 255}, {@code .std(0) / 255}).
     * Sums are exact integers, so the result does not depend on the thread split.
     */
    public static Normalization compute(Dataset ds, int[] indices, int threads) {
        if (indices.length == 0) throw new DataException("cannot compute mean/std of an empty dataset");
        long[][] sums = new long[threads][6];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger slot = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong pixelCount = new java.util.concurrent.atomic.AtomicLong();
        final int chunk = 256;
        Datasets.runWorkers(() -> {
            long[] s = sums[slot.getAndIncrement()];
            long count = 0;
            int start;
            while ((start = next.getAndAdd(chunk)) < indices.length) {
                for (int k = start; k < Math.min(indices.length, start + chunk); k++) {
                    count += accumulate(ds, indices[k], s);
                }
            }
            pixelCount.addAndGet(count);
        }, threads);
        long[] t = new long[6];
        for (long[] s : sums) for (int i = 0; i < 6; i++) t[i] += s[i];
        double n = pixelCount.get();
        double[] mean = new double[3], std = new double[3];
        for (int c = 0; c < 3; c++) {
            double m = t[c] / n;
            mean[c] = m / 255.0;
            std[c] = Math.sqrt(Math.max(0.0, t[3 + c] / n - m * m)) / 255.0;
            if (!(std[c] > 0)) {
                throw new DataException("channel " + "RGB".charAt(c) + " is constant over " + indices.length
                        + " images (std 0): give the mean and std explicitly");
            }
        }
        return new Normalization(mean, std);
    }

    /** Adds image {@code i}'s channel sums and sums of squares into {@code s}; returns its pixel count. */
    private static long accumulate(Dataset ds, int i, long[] s) {
        byte[] p;
        int off, len;
        if (ds instanceof InMemoryDataset m) {
            p = m.pixels();
            off = m.offset(i);
            len = m.imageBytes();
        } else {
            p = ds.image(i).pixels();
            off = 0;
            len = p.length;
        }
        long r = 0, g = 0, b = 0, rr = 0, gg = 0, bb = 0;
        for (int k = off; k < off + len; k += 3) {
            int vr = p[k] & 0xFF, vg = p[k + 1] & 0xFF, vb = p[k + 2] & 0xFF;
            r += vr;
            g += vg;
            b += vb;
            rr += vr * vr;
            gg += vg * vg;
            bb += vb * vb;
        }
        s[0] += r; s[1] += g; s[2] += b; s[3] += rr; s[4] += gg; s[5] += bb;
        return len / 3;
    }

    @Override public String toString() {
        return String.format(Locale.ROOT, "mean %.4f,%.4f,%.4f std %.4f,%.4f,%.4f",
                mean[0], mean[1], mean[2], std[0], std[1], std[2]);
    }
}
