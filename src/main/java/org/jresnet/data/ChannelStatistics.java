package org.jresnet.data;

import org.jresnet.io.Normalization;

/** Per-channel statistics of a dataset's pixels: the normalisation a training split calls for. */
public final class ChannelStatistics {
    private ChannelStatistics() {}

    /**
     * Mean and (population) std over all pixels of the given images, /255, as the reference
     * computes them from the training split ({@code x.reshape(-1, 3).mean(0) / 255}, {@code .std(0) / 255}).
     * Sums are exact integers, so the result does not depend on the thread split.
     */
    public static Normalization normalization(Dataset ds, int[] indices, int threads) {
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
        double[] exact = new double[6];
        for (int i = 0; i < 6; i++) exact[i] = t[i];
        return fromSums(exact, pixelCount.get(), indices.length);
    }

    /**
     * Mean and (population) std, /255, from channel sums {@code t[0..2]} and sums of squares
     * {@code t[3..5]} over {@code pixels} pixels of {@code images} images. The sums are exact
     * integers (held exactly in a double below 2^53), so whoever adds them up in whatever order
     * gets the same bits: one machine, or Spark's workers summing their shards' sums.
     */
    public static Normalization fromSums(double[] t, double pixels, long images) {
        double[] mean = new double[3], std = new double[3];
        for (int c = 0; c < 3; c++) {
            double m = t[c] / pixels;
            mean[c] = m / 255.0;
            std[c] = Math.sqrt(Math.max(0.0, t[3 + c] / pixels - m * m)) / 255.0;
            if (!(std[c] > 0)) {
                throw new DataException("channel " + "RGB".charAt(c) + " is constant over " + images
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
        addPixelSums(p, off, len, s, 0);
        return len / 3;
    }

    /**
     * Adds the channel sums and sums of squares of the RGB pixels {@code p[off, off + len)} into
     * {@code s[at .. at + 6)} (R, G, B, RR, GG, BB): exact integer arithmetic.
     */
    public static void addPixelSums(byte[] p, int off, int len, long[] s, int at) {
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
        s[at] += r; s[at + 1] += g; s[at + 2] += b; s[at + 3] += rr; s[at + 4] += gg; s[at + 5] += bb;
    }
}
