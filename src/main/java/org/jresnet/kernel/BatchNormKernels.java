package org.jresnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.engine.Engine;
import org.jresnet.engine.Parallel;

/**
 * Batch-norm kernels over NHWC activations seen as a matrix {@code [rows = N*H*W, C]}: SIMD lanes
 * run along channels. Per-channel sums are taken over blocks of rows in float, then added into
 * double partials (one set per thread chunk, reduced in chunk order => deterministic for a given
 * thread count): float alone loses ~1e-4 relative over 10^5 rows, which would break parity of
 * the running statistics.
 */
public final class BatchNormKernels {
    private static final VectorSpecies<Float> F = Simd.F;
    /** Rows per float block: keeps a block of {@code [rows, C]} floats (~64 KB) in L2 while channels are swept. */
    private static final int BLOCK_FLOATS = 1 << 14;
    private static final int MAX_BLOCK_ROWS = 64;

    private BatchNormKernels() {}

    private static int blockRows(int c) { return Math.max(1, Math.min(MAX_BLOCK_ROWS, BLOCK_FLOATS / c)); }

    /**
     * Doubles the caller must provide as {@code work} to {@link #channelSums} and {@link #meanAndM2}:
     * two sums per channel per thread, and a count per thread.
     */
    public static int workSize(int c) { return (2 * c + 1) * Engine.current().threads(); }

    // ---------------------------------------------------------------- mean and variance, one pass

    /**
     * Per-channel mean and M2 = sum (x - mean)^2 of x [rows, C] in one pass over memory: each
     * block of rows (in L1) is summed, then its deviations from its own mean are summed (an exact
     * two-pass result for the block, the second pass from cache), and blocks are merged in double
     * by Chan, Golub and LeVeque's pairwise update. As accurate as two passes over the whole
     * tensor (no E[x^2] - E[x]^2 cancellation), at the memory traffic of one. Results overwrite
     * mean and m2 (length C); deterministic for a given thread count.
     */
    public static void meanAndM2(float[] x, int xo, int rows, int c, double[] mean, double[] m2, double[] work) {
        Parallel par = Engine.current().parallel();
        int parts = Math.min(par.threads(), rows);
        if (work.length < (2 * c + 1) * parts) throw new IllegalArgumentException("BN work array too small");
        int counts = 2 * c * parts;
        boolean simd = Simd.enabled();
        par.forRange(rows, (chunk, r0, r1) -> {
            int am = 2 * c * chunk, a2 = am + c;
            java.util.Arrays.fill(work, am, am + 2 * c, 0.0);
            if (simd) meanM2Simd(x, xo, r0, r1, c, work, am, a2);
            else meanM2Scalar(x, xo, r0, r1, 0, c, work, am, a2);
            work[counts + chunk] = r1 - r0;
        });
        for (int ch = 0; ch < c; ch++) {
            double n = 0, mu = 0, q = 0;
            for (int p = 0; p < parts; p++) {
                double nb = work[counts + p];
                if (nb == 0) continue;
                double mb = work[2 * c * p + ch], qb = work[2 * c * p + c + ch];
                double delta = mb - mu, total = n + nb;
                mu += delta * (nb / total);
                q += qb + delta * delta * (n * nb / total);
                n = total;
            }
            mean[ch] = mu;
            m2[ch] = q;
        }
    }

    static void meanM2Simd(float[] x, int xo, int r0, int r1, int c, double[] acc, int am, int a2) {
        int bound = F.loopBound(c), br = blockRows(c), lanes = F.length();
        float[] lane = new float[3 * lanes];
        for (int b0 = r0; b0 < r1; b0 += br) {
            int b1 = Math.min(r1, b0 + br), nb = b1 - b0;
            double na = b0 - r0, total = na + nb, wb = nb / total, wab = na * nb / total;
            int ch = 0;
            for (; ch < bound; ch += lanes) {
                FloatVector sum = FloatVector.zero(F);
                for (int r = b0; r < b1; r++) sum = sum.add(FloatVector.fromArray(F, x, xo + r * c + ch));
                FloatVector mb = sum.div((float) nb);
                FloatVector d1 = FloatVector.zero(F), d2 = FloatVector.zero(F);
                for (int r = b0; r < b1; r++) {
                    FloatVector xc = FloatVector.fromArray(F, x, xo + r * c + ch).sub(mb);
                    d1 = d1.add(xc);
                    d2 = xc.fma(xc, d2);
                }
                // the block's exact mean and M2 from its float mean and the deviations about it, in
                // double lane by lane: widening a float vector's upper half to doubles
                // (convertShape with part 1) goes through a shuffle that C2 sometimes left
                // unintrinsified in this method, which then ran several times slower (JFR)
                mb.intoArray(lane, 0);
                d1.intoArray(lane, lanes);
                d2.intoArray(lane, 2 * lanes);
                for (int i = 0; i < lanes; i++) {
                    double e1 = lane[lanes + i], e2 = lane[2 * lanes + i];
                    double bm = (double) lane[i] + e1 / nb, bq = e2 - e1 * e1 / nb;
                    double delta = bm - acc[am + ch + i];
                    acc[am + ch + i] += delta * wb;
                    acc[a2 + ch + i] = acc[a2 + ch + i] + bq + delta * delta * wab;
                }
            }
            if (bound < c) meanM2Block(x, xo, r0, b0, b1, bound, c, acc, am, a2);
        }
    }

    static void meanM2Scalar(float[] x, int xo, int r0, int r1, int c0, int c, double[] acc, int am, int a2) {
        int br = blockRows(c);
        for (int b0 = r0; b0 < r1; b0 += br) meanM2Block(x, xo, r0, b0, Math.min(r1, b0 + br), c0, c, acc, am, a2);
    }

    /** Channels {@code [c0, c)} of the block of rows {@code [b0, b1)}, merged into a chunk that began at row r0. */
    private static void meanM2Block(float[] x, int xo, int r0, int b0, int b1, int c0, int c, double[] acc, int am, int a2) {
        int nb = b1 - b0;
        double na = b0 - r0, total = na + nb, wb = nb / total, wab = na * nb / total;
        for (int ch = c0; ch < c; ch++) {
            float sum = 0f;
            for (int r = b0; r < b1; r++) sum += x[xo + r * c + ch];
            float mb = sum / nb;
            float d1 = 0f, d2 = 0f;
            for (int r = b0; r < b1; r++) {
                float xc = x[xo + r * c + ch] - mb;
                d1 += xc;
                d2 = Math.fma(xc, xc, d2);
            }
            double bm = (double) mb + (double) d1 / nb;
            double bq = (double) d2 - (double) d1 * d1 / nb;
            double delta = bm - acc[am + ch];
            acc[am + ch] += delta * wb;
            acc[a2 + ch] = acc[a2 + ch] + bq + delta * delta * wab;   // the SIMD path's order
        }
    }

    /**
     * Per-channel sums over rows of x [rows, C]: {@code s1[c] = sum (x - center[c])} and, when
     * {@code dy} is null, {@code s2[c] = sum (x - center[c])^2}; when {@code dy} is given,
     * {@code s1[c] = sum dy} and {@code s2[c] = sum dy * (x - center[c])} (the two sums BN's
     * backward needs). {@code center} null means 0. Results overwrite s1, s2 (length C).
     */
    public static void channelSums(float[] x, int xo, float[] dy, int dyo, int rows, int c, float[] center,
                                   double[] s1, double[] s2, double[] work) {
        channelSums(x, xo, dy, dyo, rows, c, center, null, null, s1, s2, work);
    }

    /**
     * As {@link #channelSums(float[], int, float[], int, int, int, float[], double[], double[], double[])}
     * with dy masked by a ReLU fused after the forward normalisation: dy counts where
     * {@code scale[c] * (x - center[c]) + shift[c] > 0}, computed exactly as {@link #normalize} did
     * (so the mask equals "the fused output y > 0"). {@code scale} null: no mask.
     */
    public static void channelSums(float[] x, int xo, float[] dy, int dyo, int rows, int c, float[] center,
                                   float[] scale, float[] shift, double[] s1, double[] s2, double[] work) {
        Parallel par = Engine.current().parallel();
        int parts = Math.min(par.threads(), rows);
        if (work.length < 2 * c * parts) throw new IllegalArgumentException("BN work array too small");
        java.util.Arrays.fill(work, 0, 2 * c * parts, 0.0);
        boolean simd = Simd.enabled();
        par.forRange(rows, (chunk, r0, r1) -> {
            int a1 = 2 * c * chunk, a2 = a1 + c;
            if (simd) sumsSimd(x, xo, dy, dyo, r0, r1, c, center, scale, shift, work, a1, a2);
            else sumsScalar(x, xo, dy, dyo, r0, r1, c, center, scale, shift, work, a1, a2);
        });
        for (int ch = 0; ch < c; ch++) {
            double t1 = 0, t2 = 0;
            for (int p = 0; p < parts; p++) {
                t1 += work[2 * c * p + ch];
                t2 += work[2 * c * p + c + ch];
            }
            s1[ch] = t1;
            s2[ch] = t2;
        }
    }

    static void sumsSimd(float[] x, int xo, float[] dy, int dyo, int r0, int r1, int c, float[] center,
                         float[] scale, float[] shift, double[] acc, int a1, int a2) {
        int bound = F.loopBound(c), br = blockRows(c), lanes = F.length();
        float[] lane = new float[2 * lanes];
        for (int b0 = r0; b0 < r1; b0 += br) {
            int b1 = Math.min(r1, b0 + br);
            int ch = 0;
            for (; ch < bound; ch += lanes) {
                FloatVector mu = center == null ? FloatVector.zero(F) : FloatVector.fromArray(F, center, ch);
                FloatVector sc = scale == null ? mu : FloatVector.fromArray(F, scale, ch);
                FloatVector sh = scale == null ? mu : FloatVector.fromArray(F, shift, ch);
                FloatVector v1 = FloatVector.zero(F), v2 = FloatVector.zero(F);
                for (int r = b0; r < b1; r++) {
                    FloatVector xc = FloatVector.fromArray(F, x, xo + r * c + ch).sub(mu);
                    if (dy == null) {
                        v1 = v1.add(xc);
                        v2 = xc.fma(xc, v2);
                    } else {
                        FloatVector g = FloatVector.fromArray(F, dy, dyo + r * c + ch);
                        if (scale != null) g = FloatVector.zero(F).blend(g, xc.fma(sc, sh).compare(VectorOperators.GT, 0f));
                        v1 = v1.add(g);
                        v2 = g.fma(xc, v2);
                    }
                }
                // widened lane by lane, not by DoubleVector conversions (see meanM2Simd)
                v1.intoArray(lane, 0);
                v2.intoArray(lane, lanes);
                for (int i = 0; i < lanes; i++) {
                    acc[a1 + ch + i] += lane[i];
                    acc[a2 + ch + i] += lane[lanes + i];
                }
            }
            sumsScalarBlock(x, xo, dy, dyo, b0, b1, ch, c, center, scale, shift, acc, a1, a2);
        }
    }

    static void sumsScalar(float[] x, int xo, float[] dy, int dyo, int r0, int r1, int c, float[] center,
                           float[] scale, float[] shift, double[] acc, int a1, int a2) {
        int br = blockRows(c);
        for (int b0 = r0; b0 < r1; b0 += br) {
            sumsScalarBlock(x, xo, dy, dyo, b0, Math.min(r1, b0 + br), 0, c, center, scale, shift, acc, a1, a2);
        }
    }

    /** Channels {@code [c0, c)} of rows {@code [b0, b1)}. */
    private static void sumsScalarBlock(float[] x, int xo, float[] dy, int dyo, int b0, int b1, int c0, int c,
                                        float[] center, float[] scale, float[] shift, double[] acc, int a1, int a2) {
        for (int ch = c0; ch < c; ch++) {
            float mu = center == null ? 0f : center[ch];
            float sc = scale == null ? 0f : scale[ch], sh = scale == null ? 0f : shift[ch];
            float v1 = 0f, v2 = 0f;
            for (int r = b0; r < b1; r++) {
                float xc = x[xo + r * c + ch] - mu;
                if (dy == null) {
                    v1 += xc;
                    v2 += xc * xc;
                } else {
                    float g = dy[dyo + r * c + ch];
                    if (scale != null && !(sc * xc + sh > 0f)) g = 0f;
                    v1 += g;
                    v2 += g * xc;
                }
            }
            acc[a1 + ch] += v1;
            acc[a2 + ch] += v2;
        }
    }

    /**
     * {@code out[r,c] = a[c] * in[r,c] + b[c] * (x[r,c] - mu[c]) + d[c]} over x, in, out {@code [rows, C]}.
     * Forward normalisation is {@code in = x, a = gamma/sigma, b = 0, d = beta - mu*gamma/sigma}
     * (pass {@code mu} zeros); BN's input gradient is {@code in = dy} with the backward's a, b, d.
     * out may alias in or x (element by element: each is read before it is written).
     */
    public static void affine(float[] in, int ino, float[] x, int xo, float[] out, int outo, int rows, int c,
                              float[] a, float[] b, float[] mu, float[] d) {
        boolean simd = Simd.enabled();
        Engine.current().parallel().forRangeBalanced(rows, 1, (chunk, r0, r1) -> {
            if (simd) affineSimd(in, ino, x, xo, out, outo, r0, r1, c, a, b, mu, d);
            else affineScalar(in, ino, x, xo, out, outo, r0, r1, 0, c, a, b, mu, d);
        });
    }

    static void affineSimd(float[] in, int ino, float[] x, int xo, float[] out, int outo, int r0, int r1, int c,
                           float[] a, float[] b, float[] mu, float[] d) {
        // Rows outer: one streaming pass over memory; the per-channel vectors come from L1.
        int bound = F.loopBound(c), lanes = F.length();
        for (int r = r0; r < r1; r++) {
            int base = r * c;
            for (int ch = 0; ch < bound; ch += lanes) {
                FloatVector xc = FloatVector.fromArray(F, x, xo + base + ch).sub(FloatVector.fromArray(F, mu, ch));
                FloatVector shift = xc.fma(FloatVector.fromArray(F, b, ch), FloatVector.fromArray(F, d, ch));
                FloatVector.fromArray(F, in, ino + base + ch).fma(FloatVector.fromArray(F, a, ch), shift)
                        .intoArray(out, outo + base + ch);
            }
            if (bound < c) affineScalar(in, ino, x, xo, out, outo, r, r + 1, bound, c, a, b, mu, d);
        }
    }

    static void affineScalar(float[] in, int ino, float[] x, int xo, float[] out, int outo, int r0, int r1,
                             int c0, int c, float[] a, float[] b, float[] mu, float[] d) {
        for (int r = r0; r < r1; r++) {
            int base = r * c;
            for (int ch = c0; ch < c; ch++) {
                out[outo + base + ch] = a[ch] * in[ino + base + ch] + (b[ch] * (x[xo + base + ch] - mu[ch]) + d[ch]);
            }
        }
    }
    // ---------------------------------------------------------------- forward normalisation, fused

    /**
     * {@code y[r,c] = scale[c] * (x[r,c] - mean[c]) + shift[c]}, then {@code + res[r,c]} when res
     * is given (the residual add), then {@code max(., 0)} when {@code relu}: BN's forward with the
     * block's add and ReLU in the same pass over memory. y may alias x or res.
     */
    public static void normalize(float[] x, int xo, float[] res, int reso, float[] y, int yo, int rows, int c,
                                 float[] scale, float[] mean, float[] shift, boolean relu) {
        boolean simd = Simd.enabled();
        Engine.current().parallel().forRangeBalanced(rows, 1, (chunk, r0, r1) -> {
            if (simd) normalizeSimd(x, xo, res, reso, y, yo, r0, r1, c, scale, mean, shift, relu);
            else normalizeScalar(x, xo, res, reso, y, yo, r0, r1, 0, c, scale, mean, shift, relu);
        });
    }

    static void normalizeSimd(float[] x, int xo, float[] res, int reso, float[] y, int yo, int r0, int r1, int c,
                              float[] scale, float[] mean, float[] shift, boolean relu) {
        int bound = F.loopBound(c), lanes = F.length();
        if (c == lanes) {   // one vector a row (16-channel layers): coefficients loaded once, one flat loop
            FloatVector m = FloatVector.fromArray(F, mean, 0), g = FloatVector.fromArray(F, scale, 0);
            FloatVector h = FloatVector.fromArray(F, shift, 0);
            for (int r = r0, o = r0 * c; r < r1; r++, o += c) {
                FloatVector z = FloatVector.fromArray(F, x, xo + o).sub(m).fma(g, h);
                if (res != null) z = z.add(FloatVector.fromArray(F, res, reso + o));
                if (relu) z = z.max(0f);
                z.intoArray(y, yo + o);
            }
            return;
        }
        for (int r = r0; r < r1; r++) {
            int base = r * c;
            for (int ch = 0; ch < bound; ch += lanes) {
                FloatVector z = FloatVector.fromArray(F, x, xo + base + ch).sub(FloatVector.fromArray(F, mean, ch))
                        .fma(FloatVector.fromArray(F, scale, ch), FloatVector.fromArray(F, shift, ch));
                if (res != null) z = z.add(FloatVector.fromArray(F, res, reso + base + ch));
                if (relu) z = z.max(0f);
                z.intoArray(y, yo + base + ch);
            }
            if (bound < c) normalizeScalar(x, xo, res, reso, y, yo, r, r + 1, bound, c, scale, mean, shift, relu);
        }
    }

    /**
     * {@link #normalize} of one row's channels [c0, c1): channel ch read from {@code x[xRow + ch]}
     * (x may be y itself), written to {@code y[row + ch]}, res at {@code res[resRow + ch]}: vectors
     * while whole ones fit (c0 a multiple of the vector length), then scalars, so each element takes
     * the path {@link #normalize} gives it (c1 is a multiple of the vector length or the row's end);
     * {@code simd} is {@link Simd#enabled()}, read once by the caller. Convolutions' fused epilogue
     * ({@link Epilogue}).
     */
    static void normalizeColumns(float[] x, int xRow, float[] y, int row, float[] res, int resRow, int c0, int c1,
                                 float[] scale, float[] mean, float[] shift, boolean relu, boolean simd) {
        int ch = c0;
        if (simd) {
            for (int lanes = F.length(); ch + lanes <= c1; ch += lanes) {
                FloatVector z = FloatVector.fromArray(F, x, xRow + ch).sub(FloatVector.fromArray(F, mean, ch))
                        .fma(FloatVector.fromArray(F, scale, ch), FloatVector.fromArray(F, shift, ch));
                if (res != null) z = z.add(FloatVector.fromArray(F, res, resRow + ch));
                if (relu) z = z.max(0f);
                z.intoArray(y, row + ch);
            }
        }
        for (; ch < c1; ch++) {
            float z = scale[ch] * (x[xRow + ch] - mean[ch]) + shift[ch];
            if (res != null) z += res[resRow + ch];
            y[row + ch] = relu ? Math.max(z, 0f) : z;
        }
    }

    static void normalizeScalar(float[] x, int xo, float[] res, int reso, float[] y, int yo, int r0, int r1, int c0,
                                int c, float[] scale, float[] mean, float[] shift, boolean relu) {
        for (int r = r0; r < r1; r++) {
            int base = r * c;
            for (int ch = c0; ch < c; ch++) {
                float z = scale[ch] * (x[xo + base + ch] - mean[ch]) + shift[ch];
                if (res != null) z += res[reso + base + ch];
                y[yo + base + ch] = relu ? Math.max(z, 0f) : z;
            }
        }
    }

    /**
     * {@link #affine} with {@code in} masked by a ReLU fused after the forward normalisation:
     * {@code in} counts where {@code scale[c] * (x - mu[c]) + shift[c] > 0}, as in
     * {@link #normalize} (mu must be the forward's mean). BN+ReLU's input gradient in one pass.
     */
    public static void affineMasked(float[] in, int ino, float[] x, int xo, float[] out, int outo, int rows, int c,
                                    float[] a, float[] b, float[] mu, float[] d, float[] scale, float[] shift) {
        boolean simd = Simd.enabled();
        Engine.current().parallel().forRangeBalanced(rows, 1, (chunk, r0, r1) -> {
            if (simd) affineMaskedSimd(in, ino, x, xo, out, outo, r0, r1, c, a, b, mu, d, scale, shift);
            else affineMaskedScalar(in, ino, x, xo, out, outo, r0, r1, 0, c, a, b, mu, d, scale, shift);
        });
    }

    static void affineMaskedSimd(float[] in, int ino, float[] x, int xo, float[] out, int outo, int r0, int r1, int c,
                                 float[] a, float[] b, float[] mu, float[] d, float[] scale, float[] shift) {
        int bound = F.loopBound(c), lanes = F.length();
        FloatVector zero = FloatVector.zero(F);
        for (int r = r0; r < r1; r++) {
            int base = r * c;
            for (int ch = 0; ch < bound; ch += lanes) {
                FloatVector xc = FloatVector.fromArray(F, x, xo + base + ch).sub(FloatVector.fromArray(F, mu, ch));
                var pos = xc.fma(FloatVector.fromArray(F, scale, ch), FloatVector.fromArray(F, shift, ch))
                        .compare(VectorOperators.GT, 0f);
                FloatVector g = zero.blend(FloatVector.fromArray(F, in, ino + base + ch), pos);
                FloatVector rest = xc.fma(FloatVector.fromArray(F, b, ch), FloatVector.fromArray(F, d, ch));
                g.fma(FloatVector.fromArray(F, a, ch), rest).intoArray(out, outo + base + ch);
            }
            if (bound < c) affineMaskedScalar(in, ino, x, xo, out, outo, r, r + 1, bound, c, a, b, mu, d, scale, shift);
        }
    }

    static void affineMaskedScalar(float[] in, int ino, float[] x, int xo, float[] out, int outo, int r0, int r1,
                                   int c0, int c, float[] a, float[] b, float[] mu, float[] d, float[] scale, float[] shift) {
        for (int r = r0; r < r1; r++) {
            int base = r * c;
            for (int ch = c0; ch < c; ch++) {
                float xc = x[xo + base + ch] - mu[ch];
                float g = scale[ch] * xc + shift[ch] > 0f ? in[ino + base + ch] : 0f;
                out[outo + base + ch] = a[ch] * g + (b[ch] * xc + d[ch]);
            }
        }
    }
}
