package org.jresnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.engine.Engine;

/**
 * Pooling over NHWC activations, SIMD along channels, each with a scalar twin that also
 * finishes the vector body's channel tail ({@link Simd}'s convention). Work is split over
 * images, so no two threads write the same element and results do not depend on the thread count.
 */
public final class PoolKernels {
    private static final VectorSpecies<Float> F = Simd.F;

    private PoolKernels() {}

    // ---------------------------------------------------------------- global average pooling

    /** y[n,c] = mean over the hw pixels of x[n,p,c]; x {@code [n, hw, c]}, y {@code [n, c]}. */
    public static void gapForward(float[] x, int xo, float[] y, int yo, int n, int hw, int c) {
        boolean simd = Simd.enabled();
        Engine.current().parallel().forRange(n, (chunk, s, e) -> {
            for (int i = s; i < e; i++) {
                int xb = xo + i * hw * c, yb = yo + i * c;
                if (simd) gapForwardSimd(x, xb, y, yb, hw, c); else gapForwardScalar(x, xb, y, yb, hw, 0, c);
            }
        });
    }

    static void gapForwardSimd(float[] x, int xb, float[] y, int yb, int hw, int c) {
        int bound = F.loopBound(c);
        float inv = 1f / hw;
        for (int ch = 0; ch < bound; ch += F.length()) {
            FloatVector acc = FloatVector.zero(F);
            for (int p = 0; p < hw; p++) acc = acc.add(FloatVector.fromArray(F, x, xb + p * c + ch));
            acc.mul(inv).intoArray(y, yb + ch);
        }
        gapForwardScalar(x, xb, y, yb, hw, bound, c);
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
        Engine.current().parallel().forRange(n, (chunk, s, e) -> {
            for (int i = s; i < e; i++) {
                int xb = dxo + i * hw * c, yb = dyo + i * c;
                if (simd) gapBackwardSimd(dy, yb, dx, xb, hw, c); else gapBackwardScalar(dy, yb, dx, xb, hw, 0, c);
            }
        });
    }

    static void gapBackwardSimd(float[] dy, int yb, float[] dx, int xb, int hw, int c) {
        int bound = F.loopBound(c);
        float inv = 1f / hw;
        for (int ch = 0; ch < bound; ch += F.length()) {
            FloatVector g = FloatVector.fromArray(F, dy, yb + ch).mul(inv);
            for (int p = 0; p < hw; p++) g.intoArray(dx, xb + p * c + ch);
        }
        gapBackwardScalar(dy, yb, dx, xb, hw, bound, c);
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
     * counting as -inf and NaN winning (PyTorch). Only the maxima are stored: the backward finds
     * each window's winner again, which costs less than writing an index per output element.
     */
    public static void maxPoolForward(ConvShape s, float[] x, int xo, float[] y, int yo) {
        boolean simd = Simd.enabled();
        int oh = s.oh(), ow = s.ow();
        Engine.current().parallel().forRange(s.n() * oh, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int n = r / oh, oy = r % oh;
                for (int ox = 0; ox < ow; ox++) {
                    if (simd) maxPoolPixelSimd(s, x, xo, y, yo, n, oy, ox);
                    else maxPoolPixelScalar(s, x, xo, y, yo, n, oy, ox, 0);
                }
            }
        });
    }

    /**
     * One output pixel. The window is swept pixel by pixel with the output row as accumulator (no vector carried
     * across the nested loops, which C2 on JDK 17 would box).
     */
    static void maxPoolPixelSimd(ConvShape s, float[] x, int xo, float[] y, int yo, int n, int oy, int ox) {
        int c = s.cin(), bound = F.loopBound(c), lanes = F.length();
        int y0 = Math.max(0, oy * s.stride() - s.pad()), y1 = Math.min(s.h(), oy * s.stride() - s.pad() + s.kh());
        int x0 = Math.max(0, ox * s.stride() - s.pad()), x1 = Math.min(s.w(), ox * s.stride() - s.pad() + s.kw());
        int out = yo + ((n * s.oh() + oy) * s.ow() + ox) * c;
        int img = xo + n * s.h() * s.w() * c;
        int first = img + (y0 * s.w() + x0) * c;
        if (y1 - y0 == 3 && x1 - x0 == 3) {   // a whole 3x3 window (ResNet's stem pool, all but its edges): in registers
            int row = s.w() * c;
            for (int ch = 0; ch < bound; ch += lanes) {
                int p = first + ch;
                FloatVector m = FloatVector.fromArray(F, x, p).max(FloatVector.fromArray(F, x, p + c))
                        .max(FloatVector.fromArray(F, x, p + 2 * c));
                p += row;
                m = m.max(FloatVector.fromArray(F, x, p)).max(FloatVector.fromArray(F, x, p + c))
                        .max(FloatVector.fromArray(F, x, p + 2 * c));
                p += row;
                m = m.max(FloatVector.fromArray(F, x, p)).max(FloatVector.fromArray(F, x, p + c))
                        .max(FloatVector.fromArray(F, x, p + 2 * c));
                m.intoArray(y, out + ch);
            }
            maxPoolPixelScalar(s, x, xo, y, yo, n, oy, ox, bound);
            return;
        }
        for (int ch = 0; ch < bound; ch += lanes) FloatVector.fromArray(F, x, first + ch).intoArray(y, out + ch);
        for (int iy = y0; iy < y1; iy++) {
            for (int ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
                int src = img + (iy * s.w() + ix) * c;
                for (int ch = 0; ch < bound; ch += lanes) {
                    FloatVector.fromArray(F, y, out + ch).max(FloatVector.fromArray(F, x, src + ch)).intoArray(y, out + ch);
                }
            }
        }
        maxPoolPixelScalar(s, x, xo, y, yo, n, oy, ox, bound);
    }

    static void maxPoolPixelScalar(ConvShape s, float[] x, int xo, float[] y, int yo, int n, int oy, int ox, int c0) {
        int c = s.cin();
        int y0 = Math.max(0, oy * s.stride() - s.pad()), y1 = Math.min(s.h(), oy * s.stride() - s.pad() + s.kh());
        int x0 = Math.max(0, ox * s.stride() - s.pad()), x1 = Math.min(s.w(), ox * s.stride() - s.pad() + s.kw());
        int out = yo + ((n * s.oh() + oy) * s.ow() + ox) * c;
        int img = xo + n * s.h() * s.w() * c;
        for (int ch = c0; ch < c; ch++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int iy = y0; iy < y1; iy++) {
                for (int ix = x0; ix < x1; ix++) best = Math.max(best, x[img + (iy * s.w() + ix) * c + ch]);
            }
            y[out + ch] = best;
        }
    }

    /**
     * dx (overwritten) receives each dy at its window's winning pixel: the first in row-major
     * window order whose value is the forward's maximum y (PyTorch's tie rule). Scatter, so scalar
     * only; split over images, so no two threads write the same element.
     */
    public static void maxPoolBackward(ConvShape s, float[] x, int xo, float[] y, int yo, float[] dy, int dyo,
                                       float[] dx, int dxo) {
        int c = s.cin(), h = s.h(), w = s.w(), oh = s.oh(), ow = s.ow();
        Engine.current().parallel().forRange(s.n(), (chunk, n0, n1) -> {
            java.util.Arrays.fill(dx, dxo + n0 * h * w * c, dxo + n1 * h * w * c, 0f);
            for (int n = n0; n < n1; n++) {
                int img = n * h * w * c;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = Math.max(0, oy * s.stride() - s.pad()), y1 = Math.min(h, oy * s.stride() - s.pad() + s.kh());
                    for (int ox = 0; ox < ow; ox++) {
                        int x0 = Math.max(0, ox * s.stride() - s.pad()), x1 = Math.min(w, ox * s.stride() - s.pad() + s.kw());
                        int o = ((n * oh + oy) * ow + ox) * c;
                        for (int ch = 0; ch < c; ch++) {
                            int win = winner(x, xo + img + ch, c, w, y[yo + o + ch], y0, y1, x0, x1);
                            dx[dxo + img + win * c + ch] += dy[dyo + o + ch];
                        }
                    }
                }
            }
        });
    }

    /** Pixel index iy*w + ix of the first window element equal to {@code best} (NaN matches NaN). */
    private static int winner(float[] x, int base, int c, int w, float best, int y0, int y1, int x0, int x1) {
        boolean nan = best != best;
        for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
                float v = x[base + (iy * w + ix) * c];
                if (v == best || (nan && v != v)) return iy * w + ix;
            }
        }
        return y0 * w + x0;   // unreachable: best is one of the window's values
    }
}
