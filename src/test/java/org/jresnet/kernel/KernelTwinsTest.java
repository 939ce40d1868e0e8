package org.jresnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.jresnet.nn.RandomTensors;
import org.jresnet.engine.TestEngines;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every SIMD kernel against its scalar twin, on sizes with a vector body and a scalar tail. */
@Tag("smoke")
class KernelTwinsTest {
    private static final int C = 3 * 16 + 5;
    private static final int ROWS = 131;

    @AfterEach void restore() { TestEngines.reset(); }

    private static float[] rand(int n, long seed) { return RandomTensors.uniform(new SplittableRandom(seed), -2, 2, n); }

    private interface Kernel { float[] run(); }

    private static void twins(Kernel k, double tol) {
        TestEngines.use(c -> c.withSimd(true));
        float[] v = k.run();
        TestEngines.use(c -> c.withSimd(false));
        float[] s = k.run();
        assertThat(v).hasSameSizeAs(s);
        for (int i = 0; i < v.length; i++) assertThat(v[i]).as("element %d", i).isCloseTo(s[i], within((float) tol));
    }

    @Test void relu() {
        float[] x = rand(ROWS * C, 1);
        twins(() -> { float[] y = new float[x.length]; Elementwise.relu(x, 0, y, 0, x.length); return y; }, 0);
    }

    @Test void reluBackward() {
        float[] y = rand(ROWS * C, 2), dy = rand(ROWS * C, 3);
        twins(() -> { float[] dx = new float[y.length]; Elementwise.reluBackward(y, 0, dy, 0, dx, 0, y.length); return dx; }, 0);
    }

    @Test void addDotAxpy() {
        float[] a = rand(ROWS * C, 4), b = rand(ROWS * C, 5);
        twins(() -> { float[] y = new float[a.length]; Elementwise.add(a, 0, b, 0, y, 0, a.length); return y; }, 0);
        twins(() -> new float[] {Elementwise.dot(a, 3, b, 7, 1000)}, 1e-3);
        twins(() -> { float[] y = b.clone(); Elementwise.axpy(0.7f, a, 1, y, 2, 1000); return y; }, 1e-6);
    }

    /**
     * The vector dot rounds as one fixed order (lane-wise FMAs, lanes summed first to last, then the
     * tail), before and after C2 compiles it: JDK 25's compiled reduceLanes(ADD) sums in another
     * order than its interpreter, so a forward pass changed in the last bit as a run warmed up.
     */
    @Tag("smoke")
    @Test void dotRoundsInOneOrderBeforeAndAfterCompilation() {
        TestEngines.use(c -> c.withSimd(true));
        int lanes = Simd.F.length(), n = 7 * lanes + 5;
        float[] a = rand(n, 8), b = rand(n, 9);
        float[] acc = new float[lanes];
        int i = 0;
        for (; i + lanes <= n; i += lanes) for (int l = 0; l < lanes; l++) acc[l] = Math.fma(a[i + l], b[i + l], acc[l]);
        float expected = 0f;
        for (float v : acc) expected += v;
        for (; i < n; i++) expected += a[i] * b[i];
        assertThat(Elementwise.dot(a, 0, b, 0, n)).isEqualTo(expected);
        float last = 0f;
        for (int rep = 0; rep < 200_000; rep++) last = Elementwise.dot(a, 0, b, 0, n);
        assertThat(last).isEqualTo(expected);
    }

    @Test void batchNormSumsAndAffine() {
        float[] x = rand(ROWS * C, 6), dy = rand(ROWS * C, 7), mu = rand(C, 8);
        float[] a = rand(C, 9), b = rand(C, 10), d = rand(C, 11);
        double[] work = new double[BatchNormKernels.workSize(C)];
        twins(() -> {
            double[] s1 = new double[C], s2 = new double[C];
            BatchNormKernels.channelSums(x, 0, null, 0, ROWS, C, mu, s1, s2, work);
            double[] t1 = new double[C], t2 = new double[C];
            BatchNormKernels.channelSums(x, 0, dy, 0, ROWS, C, mu, t1, t2, work);
            float[] out = new float[4 * C];
            for (int i = 0; i < C; i++) {
                out[i] = (float) s1[i];
                out[C + i] = (float) s2[i];
                out[2 * C + i] = (float) t1[i];
                out[3 * C + i] = (float) t2[i];
            }
            return out;
        }, 1e-4);
        twins(() -> { float[] y = new float[x.length]; BatchNormKernels.affine(dy, 0, x, 0, y, 0, ROWS, C, a, b, mu, d); return y; }, 1e-5);
    }

    /**
     * One-pass mean and M2 against float64 two-pass statistics, on data far from zero (mean 100x
     * the spread, where E[x^2] - E[x]^2 would lose everything), both paths bit-identical.
     */
    @Test void batchNormMeanAndM2() {
        int rows = 1000;
        float[] x = rand(rows * C, 30);
        for (int i = 0; i < x.length; i++) x[i] = 100f + (i % C) + x[i];
        double[] work = new double[BatchNormKernels.workSize(C)];
        double[][] got = new double[2][];
        for (int simd = 0; simd < 2; simd++) {
            boolean on = simd == 1;
            TestEngines.use(c -> c.withSimd(on));
            double[] mean = new double[C], m2 = new double[C];
            BatchNormKernels.meanAndM2(x, 0, rows, C, mean, m2, work);
            for (int ch = 0; ch < C; ch++) {
                double mu = 0, q = 0;
                for (int r = 0; r < rows; r++) mu += x[r * C + ch];
                mu /= rows;
                for (int r = 0; r < rows; r++) q += (x[r * C + ch] - mu) * (x[r * C + ch] - mu);
                assertThat(mean[ch]).as("mean %d", ch).isCloseTo(mu, within(1e-9 * Math.abs(mu)));
                assertThat(m2[ch]).as("M2 %d", ch).isCloseTo(q, within(1e-6 * q));
            }
            got[simd] = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(mean), java.util.Arrays.stream(m2)).toArray();
        }
        assertThat(got[1]).containsExactly(got[0]);
    }

    @Test void fusedBatchNormKernels() {
        float[] x = rand(ROWS * C, 20), dy = rand(ROWS * C, 21), res = rand(ROWS * C, 22), mean = rand(C, 23);
        float[] scale = rand(C, 24), shift = rand(C, 25), a = rand(C, 26), b = rand(C, 27), d = rand(C, 28);
        for (boolean relu : new boolean[] {false, true}) {
            for (float[] r : new float[][] {null, res}) {
                twins(() -> {
                    float[] y = new float[x.length];
                    BatchNormKernels.normalize(x, 0, r, 0, y, 0, ROWS, C, scale, mean, shift, relu);
                    return y;
                }, 1e-5);
            }
        }
        double[] work = new double[BatchNormKernels.workSize(C)];
        twins(() -> {
            double[] s1 = new double[C], s2 = new double[C];
            BatchNormKernels.channelSums(x, 0, dy, 0, ROWS, C, mean, scale, shift, s1, s2, work);
            float[] out = new float[2 * C];
            for (int i = 0; i < C; i++) {
                out[i] = (float) s1[i];
                out[C + i] = (float) s2[i];
            }
            return out;
        }, 1e-4);
        twins(() -> {
            float[] y = new float[x.length];
            BatchNormKernels.affineMasked(dy, 0, x, 0, y, 0, ROWS, C, a, b, mean, d, scale, shift);
            return y;
        }, 1e-5);
        // the mask is exactly "normalize's ReLU output > 0"
        float[] y = new float[x.length], g = new float[x.length], masked = new float[x.length];
        BatchNormKernels.normalize(x, 0, null, 0, y, 0, ROWS, C, scale, mean, shift, true);
        for (int i = 0; i < y.length; i++) g[i] = y[i] > 0 ? dy[i] : 0f;
        float[] zeros = new float[C];
        BatchNormKernels.affineMasked(dy, 0, x, 0, masked, 0, ROWS, C, scale, zeros, mean, zeros, scale, shift);
        float[] unmasked = new float[x.length];
        BatchNormKernels.affine(g, 0, x, 0, unmasked, 0, ROWS, C, scale, zeros, mean, zeros);
        assertThat(masked).containsExactly(unmasked);
    }

    @Test void pooling() {
        int n = 2, h = 7, w = 6;
        float[] x = rand(n * h * w * C, 12);
        twins(() -> { float[] y = new float[n * C]; PoolKernels.gapForward(x, 0, y, 0, n, h * w, C); return y; }, 1e-5);
        float[] g = rand(n * C, 13);
        twins(() -> { float[] dx = new float[x.length]; PoolKernels.gapBackward(g, 0, dx, 0, n, h * w, C); return dx; }, 0);
        ConvShape s = new ConvShape(n, h, w, C, C, 3, 3, 2, 1);
        float[] ties = x.clone();
        for (int i = 0; i < ties.length; i += 7) ties[i] = 1.5f;     // equal maxima: the first in the window wins
        // NaN wins and max(-0, 0) is +0, whatever the window's order (PyTorch; the SIMD path's whole
        // 3x3 windows take their maxima in another order than the scalar twin)
        float[] special = x.clone();
        for (int i = 0; i < special.length; i += 11) special[i] = i % 2 == 0 ? Float.NaN : -0.0f;
        for (int i = 3; i < special.length; i += 13) special[i] = 0.0f;
        float[][] bySimd = new float[2][];
        for (int simd = 0; simd < 2; simd++) {
            boolean on = simd == 1;
            TestEngines.use(c -> c.withSimd(on));
            bySimd[simd] = new float[s.outputSize()];
            PoolKernels.maxPoolForward(s, special, 0, bySimd[simd], 0);
        }
        for (int i = 0; i < bySimd[0].length; i++) {
            assertThat(Float.floatToRawIntBits(bySimd[1][i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(bySimd[0][i]));
        }
        for (float[] in : new float[][] {x, ties}) {
            twins(() -> { float[] y = new float[s.outputSize()]; PoolKernels.maxPoolForward(s, in, 0, y, 0); return y; }, 0);
            float[] y = new float[s.outputSize()];
            PoolKernels.maxPoolForward(s, in, 0, y, 0);
            float[] dy = rand(y.length, 14);
            float[] dx = new float[in.length];
            PoolKernels.maxPoolBackward(s, in, 0, y, 0, dy, 0, dx, 0);
            assertThat(dx).containsExactly(maxPoolBackwardReference(s, in, dy));
        }
    }

    /** Scatter of dy to the first strictly-greater winner of each window, as PyTorch's max_pool2d picks it. */
    private static float[] maxPoolBackwardReference(ConvShape s, float[] x, float[] dy) {
        int c = s.cin();
        float[] dx = new float[x.length];
        for (int n = 0; n < s.n(); n++) {
            for (int oy = 0; oy < s.oh(); oy++) {
                for (int ox = 0; ox < s.ow(); ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int arg = -1;
                        for (int ky = 0; ky < s.kh(); ky++) {
                            for (int kx = 0; kx < s.kw(); kx++) {
                                int iy = oy * s.stride() - s.pad() + ky, ix = ox * s.stride() - s.pad() + kx;
                                if (iy < 0 || ix < 0 || iy >= s.h() || ix >= s.w()) continue;
                                int i = ((n * s.h() + iy) * s.w() + ix) * c + ch;
                                if (x[i] > best) {
                                    best = x[i];
                                    arg = i;
                                }
                            }
                        }
                        dx[arg] += dy[((n * s.oh() + oy) * s.ow() + ox) * c + ch];
                    }
                }
            }
        }
        return dx;
    }
}
