package org.jresnet.spark.train;

import org.jresnet.nn.BatchNorm2d;
import org.jresnet.nn.BatchStatsHook;
import org.jresnet.spark.comm.Ring;

/**
 * Sync-BN over the ring: each BN's per-channel mean and M2 become those of the union of all
 * workers' batches (Chan et al.'s pairwise merge, in rank order on every rank, so all ranks hold
 * the same bits), and backward's sums become sums over all workers.
 */
public final class RingBatchStats implements BatchStatsHook {
    private final Ring ring;
    private long nanos;

    public RingBatchStats(Ring ring) { this.ring = ring; }

    /** Nanoseconds spent in the exchanges since the last call (the step's {@code bn_stats_s}); resets. */
    long takeNanos() {
        long n = nanos;
        nanos = 0;
        return n;
    }

    private double[][] gather(double[] mine) {
        long t = System.nanoTime();
        double[][] all = ring.allGather(mine);
        nanos += System.nanoTime() - t;
        return all;
    }

    @Override public long forward(BatchNorm2d bn, double[] mean, double[] m2, long count) {
        int c = mean.length;
        double[][] all = gather(pack(mean, m2, count));
        double n = 0;
        for (int r = 0; r < all.length; r++) {
            double nr = all[r][2 * c];
            for (int ch = 0; ch < c; ch++) {
                if (r == 0) {
                    mean[ch] = all[0][ch];
                    m2[ch] = all[0][c + ch];
                    continue;
                }
                double delta = all[r][ch] - mean[ch], total = n + nr;
                mean[ch] += delta * nr / total;
                m2[ch] += all[r][c + ch] + delta * delta * n * nr / total;
            }
            n += nr;
        }
        return (long) n;
    }

    @Override public long backward(BatchNorm2d bn, double[] sumDy, double[] sumDyXc, long count) {
        int c = sumDy.length;
        double[][] all = gather(pack(sumDy, sumDyXc, count));
        double n = 0;
        for (int ch = 0; ch < c; ch++) {
            sumDy[ch] = 0;
            sumDyXc[ch] = 0;
        }
        for (double[] a : all) {
            for (int ch = 0; ch < c; ch++) {
                sumDy[ch] += a[ch];
                sumDyXc[ch] += a[c + ch];
            }
            n += a[2 * c];
        }
        return (long) n;
    }

    private static double[] pack(double[] a, double[] b, long count) {
        int c = a.length;
        double[] out = new double[2 * c + 1];
        System.arraycopy(a, 0, out, 0, c);
        System.arraycopy(b, 0, out, c, c);
        out[2 * c] = count;
        return out;
    }
}
