package org.jresnet.io;

import java.util.Arrays;
import java.util.Locale;

/**
 * Per-channel normalisation {@code (v / 255 - mean[c]) / std[c]} in float32, the arithmetic of
 * torchvision's {@code ToTensor} + {@code Normalize} (and of the reference script), precomputed
 * as a 3x256 table so a batch costs one lookup per value. The preprocessing stored with a model's
 * weights ({@link ModelMetadata}); the data layer computes it from a training split
 * ({@code ChannelStatistics}) and applies it in its transforms.
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
        for (double m : mean) {
            if (!Double.isFinite(m)) throw new IllegalArgumentException("mean must be finite, got " + Arrays.toString(mean));
        }
        for (double s : std) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("std must be finite and positive, got " + Arrays.toString(std));
            }
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

    /** The same statistics rounded to float32: what a weights file stores and the table computes with. */
    public Normalization toFloat32() {
        double[] m = new double[3], sd = new double[3];
        for (int c = 0; c < 3; c++) {
            m[c] = (float) mean[c];
            sd[c] = (float) std[c];
        }
        return new Normalization(m, sd);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(n.mean, mean) && Arrays.equals(n.std, std);
    }

    @Override public int hashCode() { return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std); }

    /** Normalised value of channel {@code c} with byte value {@code v} (0..255). */
    public float apply(int c, int v) { return table[c * 256 + v]; }

    /** The 3x256 lookup table, channel-major: for the transforms' inner loops (do not modify). */
    public float[] table() { return table; }

    @Override public String toString() {
        return String.format(Locale.ROOT, "mean %.4f,%.4f,%.4f std %.4f,%.4f,%.4f",
                mean[0], mean[1], mean[2], std[0], std[1], std[2]);
    }
}
