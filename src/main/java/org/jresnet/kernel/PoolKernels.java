package org.jresnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.tensor.Parallel;

/**
 * Pooling over NHWC activations, SIMD along channels, each with a scalar twin. Work is split over
 * images, so no two threads write the same element and results do not depend on the thread count.
 */
public final class PoolKernels {
    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());

    private PoolKernels() {}

    // ---------------------------------------------------------------- global average pooling

    /** y[n,c] = mean over the hw pixels of x[n,p,c]; x {@code [n, hw, c]}, y {@code [n, c]}. */
    public static void gapForward(float[] x, int xo, float[] y, int yo, int n, int hw, int c) {
        boolean simd = Simd.enabled();
        Parallel.get().forRange(n, (chunk, s, e) -> {
            for (int i = s; i < e; i++) {
                int xb = xo + i * hw * c, yb = yo + i * c;
                int ch = simd ? gapForwardSimd(x, xb, y, yb, hw, c) : 0;
                gapForwardScalar(x, xb, y, yb, hw, ch, c);
            }
        });
    }

    /** Channels up to the vector loop bound; returns where the scalar tail starts. */
    static int gapForwardSimd(float[] x, int xb, float[] y, int yb, int hw, int c) {
        int bound = F.loopBound(c);
        float inv = 1f / hw;
        for (int ch = 0; ch < bound; ch += F.length()) {
            FloatVector acc = FloatVector.zero(F);
            for (int p = 0; p < hw; p++) acc = acc.add(FloatVector.fromArray(F, x, xb + p * c + ch));
            acc.mul(inv).intoArray(y, yb + ch);
        }
        return bound;
    }

    static void gapForwardScalar(float[] x, int xb, float[] y, int yb, int hw, int c0, int c) {
        float inv = 1f / hw;
        for (int ch = c0; ch < c; ch++) {
            float acc = 0f;
            for (int p = 0; p < hw; p++) acc += x[xb + p * c + ch];
            y[yb + ch] = acc * inv;
        }
    }

    /** dx[n,p,c] = dy[n,c] / hw (dx overwritten). */
    public static void gapBackward(float[] dy, int dyo, float[] dx, int dxo, int n, int hw, int c) {
        boolean simd = Simd.enabled();
        Parallel.get().forRange(n, (chunk, s, e) -> {
            for (int i = s; i < e; i++) {
                int xb = dxo + i * hw * c, yb = dyo + i * c;
                int ch = simd ? gapBackwardSimd(dy, yb, dx, xb, hw, c) : 0;
                gapBackwardScalar(dy, yb, dx, xb, hw, ch, c);
            }
        });
    }

    static int gapBackwardSimd(float[] dy, int yb, float[] dx, int xb, int hw, int c) {
        int bound = F.loopBound(c);
        float inv = 1f / hw;
        for (int ch = 0; ch < bound; ch += F.length()) {
            FloatVector g = FloatVector.fromArray(F, dy, yb + ch).mul(inv);
            for (int p = 0; p < hw; p++) g.intoArray(dx, xb + p * c + ch);
        }
        return bound;
    }

    static void gapBackwardScalar(float[] dy, int yb, float[] dx, int xb, int hw, int c0, int c) {
        float inv = 1f / hw;
        for (int ch = c0; ch < c; ch++) {
            float g = dy[yb + ch] * inv;
            for (int p = 0; p < hw; p++) dx[xb + p * c + ch] = g;
        }
    }

    // ---------------------------------------------------------------- max pooling

    /**
     * y[n,oy,ox,c] = max over the k x k window at (oy*stride - pad, ox*stride - pad) of x, padding
     * counting as -inf (PyTorch). {@code arg} receives the winning input pixel {@code iy*w + ix}
     * per output element; ties go to the first in row-major window order, as in PyTorch.
     */
    public static void maxPoolForward(ConvShape s, float[] x, int xo, float[] y, int yo, int[] arg) {
        boolean simd = Simd.enabled();
        int oh = s.oh(), ow = s.ow();
        Parallel.get().forRange(s.n() * oh, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int n = r / oh, oy = r % oh;
                for (int ox = 0; ox < ow; ox++) {
                    int ch = simd ? maxPoolPixelSimd(s, x, xo, y, yo, arg, n, oy, ox) : 0;
                    maxPoolPixelScalar(s, x, xo, y, yo, arg, n, oy, ox, ch);
                }
            }
        });
    }

    static int maxPoolPixelSimd(ConvShape s, float[] x, int xo, float[] y, int yo, int[] arg, int n, int oy, int ox) {
        int c = s.cin(), bound = F.loopBound(c);
        int y0 = Math.max(0, oy * s.stride() - s.pad()), y1 = Math.min(s.h(), oy * s.stride() - s.pad() + s.kh());
        int x0 = Math.max(0, ox * s.stride() - s.pad()), x1 = Math.min(s.w(), ox * s.stride() - s.pad() + s.kw());
        int out = ((n * s.oh() + oy) * s.ow() + ox) * c;
        for (int ch = 0; ch < bound; ch += F.length()) {
            FloatVector best = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            IntVector idx = IntVector.broadcast(I, y0 * s.w() + x0);
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    int p = iy * s.w() + ix;
                    FloatVector v = FloatVector.fromArray(F, x, xo + (n * s.h() * s.w() + p) * c + ch);
                    VectorMask<Float> gt = v.compare(VectorOperators.GT, best);
                    best = best.blend(v, gt);
                    idx = idx.blend(IntVector.broadcast(I, p), gt.cast(I));
                }
            }
            best.intoArray(y, yo + out + ch);
            idx.intoArray(arg, out + ch);
        }
        return bound;
    }

    static void maxPoolPixelScalar(ConvShape s, float[] x, int xo, float[] y, int yo, int[] arg,
                                   int n, int oy, int ox, int c0) {
        int c = s.cin();
        int y0 = Math.max(0, oy * s.stride() - s.pad()), y1 = Math.min(s.h(), oy * s.stride() - s.pad() + s.kh());
        int x0 = Math.max(0, ox * s.stride() - s.pad()), x1 = Math.min(s.w(), ox * s.stride() - s.pad() + s.kw());
        int out = ((n * s.oh() + oy) * s.ow() + ox) * c;
        for (int ch = c0; ch < c; ch++) {
            float best = Float.NEGATIVE_INFINITY;
            int idx = y0 * s.w() + x0;
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) {
                    int p = iy * s.w() + ix;
                    float v = x[xo + (n * s.h() * s.w() + p) * c + ch];
                    if (v > best) {
                        best = v;
                        idx = p;
                    }
                }
            }
            y[yo + out + ch] = best;
            arg[out + ch] = idx;
        }
    }

    /** dx (overwritten) receives each dy at its window's winning pixel; scatter, so scalar only. */
    public static void maxPoolBackward(ConvShape s, float[] dy, int dyo, int[] arg, float[] dx, int dxo) {
        int c = s.cin(), hw = s.h() * s.w(), ohw = s.oh() * s.ow();
        java.util.Arrays.fill(dx, dxo, dxo + s.inputSize(), 0f);
        Parallel.get().forRange(s.n(), (chunk, n0, n1) -> {
            for (int n = n0; n < n1; n++) {
                for (int q = 0; q < ohw; q++) {
                    int o = (n * ohw + q) * c;
                    for (int ch = 0; ch < c; ch++) {
                        dx[dxo + (n * hw + arg[o + ch]) * c + ch] += dy[dyo + o + ch];
                    }
                }
            }
        });
    }
}
