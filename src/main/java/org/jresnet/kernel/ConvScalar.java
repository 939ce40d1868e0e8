package org.jresnet.kernel;

import org.jresnet.engine.Engine;

/**
 * Direct convolution in plain loops: the reference every faster convolution is tested against,
 * and the path {@code -Djresnet.simd=false} runs. Correct and deterministic, not fast.
 */
public final class ConvScalar {
    private ConvScalar() {}

    /** y[n,oh,ow,co] = sum_{ci,ky,kx} x[n, oh*s+ky-p, ow*s+kx-p, ci] * w[co,ci,ky,kx]; y overwritten. */
    public static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo) {
        int oh = s.oh(), ow = s.ow();
        Engine.current().parallel().forRange(s.n() * oh, (c, start, end) -> {
            for (int r = start; r < end; r++) {
                int n = r / oh, oy = r % oh;
                for (int ox = 0; ox < ow; ox++) {
                    int ybase = yo + ((n * oh + oy) * ow + ox) * s.cout();
                    for (int co = 0; co < s.cout(); co++) {
                        float acc = 0f;
                        for (int ky = 0; ky < s.kh(); ky++) {
                            int iy = oy * s.stride() + ky - s.pad();
                            if (iy < 0 || iy >= s.h()) continue;
                            for (int kx = 0; kx < s.kw(); kx++) {
                                int ix = ox * s.stride() + kx - s.pad();
                                if (ix < 0 || ix >= s.w()) continue;
                                int xbase = xo + ((n * s.h() + iy) * s.w() + ix) * s.cin();
                                int wbase = wo + (co * s.cin() * s.kh() + ky) * s.kw() + kx;
                                int wstride = s.kh() * s.kw();
                                for (int ci = 0; ci < s.cin(); ci++) {
                                    acc += x[xbase + ci] * w[wbase + ci * wstride];
                                }
                            }
                        }
                        y[ybase + co] = acc;
                    }
                }
            }
        });
    }

    /** dx = conv^T(dy, w); dx overwritten. Parallel over images so no two threads write one pixel. */
    public static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo) {
        int oh = s.oh(), ow = s.ow();
        java.util.Arrays.fill(dx, dxo, dxo + s.inputSize(), 0f);
        Engine.current().parallel().forRange(s.n(), (c, start, end) -> {
            for (int n = start; n < end; n++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int ybase = dyo + ((n * oh + oy) * ow + ox) * s.cout();
                        for (int ky = 0; ky < s.kh(); ky++) {
                            int iy = oy * s.stride() + ky - s.pad();
                            if (iy < 0 || iy >= s.h()) continue;
                            for (int kx = 0; kx < s.kw(); kx++) {
                                int ix = ox * s.stride() + kx - s.pad();
                                if (ix < 0 || ix >= s.w()) continue;
                                int xbase = dxo + ((n * s.h() + iy) * s.w() + ix) * s.cin();
                                for (int co = 0; co < s.cout(); co++) {
                                    float g = dy[ybase + co];
                                    int wbase = wo + (co * s.cin() * s.kh() + ky) * s.kw() + kx;
                                    int wstride = s.kh() * s.kw();
                                    for (int ci = 0; ci < s.cin(); ci++) {
                                        dx[xbase + ci] += g * w[wbase + ci * wstride];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** dw += sum over the batch of x ⊗ dy. Parallel over output channels: each thread owns its rows of dw. */
    public static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo) {
        int oh = s.oh(), ow = s.ow();
        Engine.current().parallel().forRange(s.cout(), (c, start, end) -> {
            for (int co = start; co < end; co++) {
                for (int ci = 0; ci < s.cin(); ci++) {
                    for (int ky = 0; ky < s.kh(); ky++) {
                        for (int kx = 0; kx < s.kw(); kx++) {
                            float acc = 0f;
                            for (int n = 0; n < s.n(); n++) {
                                for (int oy = 0; oy < oh; oy++) {
                                    int iy = oy * s.stride() + ky - s.pad();
                                    if (iy < 0 || iy >= s.h()) continue;
                                    for (int ox = 0; ox < ow; ox++) {
                                        int ix = ox * s.stride() + kx - s.pad();
                                        if (ix < 0 || ix >= s.w()) continue;
                                        acc += x[xo + ((n * s.h() + iy) * s.w() + ix) * s.cin() + ci]
                                                * dy[dyo + ((n * oh + oy) * ow + ox) * s.cout() + co];
                                    }
                                }
                            }
                            dw[dwo + ((co * s.cin() + ci) * s.kh() + ky) * s.kw() + kx] += acc;
                        }
                    }
                }
            }
        });
    }
}
