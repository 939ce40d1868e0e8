package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.L;
import static org.jresnet.kernel.MicroKernel.MR_LCM;

import java.util.Arrays;
import org.jresnet.tensor.Parallel;

/**
 * Convolution on the Vector API, same contracts as {@link ConvScalar} (its scalar twin):
 * NHWC activations, OIHW weights, forward and backwardData overwrite, backwardWeights adds.
 *
 * <ul>
 *   <li>forward: every tap (ky,kx) is a GEMM [pixels, cin] x [cin, cout] shifted over the
 *       zero-padded input, all accumulated in registers ({@link ShiftedGemm}).</li>
 *   <li>backwardData: split dx by stride phase (iy mod s, ix mod s); each phase is a stride-1
 *       shifted GEMM of dy with the taps that reach it and the weight transposed
 *       ([cout, cin] per tap), so nothing is scattered and no zero is multiplied.</li>
 *   <li>backwardWeights: dW[(tap,ci), co] = sum over pixels x[pixel+shift(tap), ci] * dy[pixel, co],
 *       per-thread partials over output rows reduced in chunk order (same thread count =>
 *       bit-identical).</li>
 * </ul>
 * Weights are repacked into panels per call (they are small next to the activations).
 */
public final class ConvSimd {
    /** Pixels per weight-gradient tile: dy and x rows of one tile stay in L2 across all k rows. */
    private static final int DW_TILE_PIXELS = 256;

    private ConvSimd() {}

    public static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo) {
        forward(s, x, xo, w, wo, y, yo, KernelWorkspace.forThisThread());
    }

    public static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo) {
        backwardData(s, dy, dyo, w, wo, dx, dxo, KernelWorkspace.forThisThread());
    }

    public static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo) {
        backwardWeights(s, x, xo, dy, dyo, dw, dwo, KernelWorkspace.forThisThread());
    }

    /** y[n,oy,ox,co] = sum_{ky,kx,ci} x[n, oy*s+ky-p, ox*s+kx-p, ci] * w[co,ci,ky,kx]; y overwritten. */
    public static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo,
                               KernelWorkspace ws) {
        int oh = s.oh(), ow = s.ow(), taps = s.kh() * s.kw(), cin = s.cin(), st = s.stride();
        PaddedInput in = padInput(s, x, xo, ws);
        ShiftedGemm g = ws.pass(0);
        int[] aOff = g.offsets(taps);
        int[] eOff = g.packOffsets(taps);
        for (int ky = 0, e = 0; ky < s.kh(); ky++) {
            for (int kx = 0; kx < s.kw(); kx++, e++) {
                aOff[e] = (ky * in.wp + kx) * cin;
                eOff[e] = e;
            }
        }
        g.rows(s.n(), oh, ow);
        g.a(in.aConst, in.hp * in.wp * cin, st * in.wp * cin, st * cin);
        g.c(yo, oh * ow * s.cout(), ow * s.cout(), s.cout());
        g.k(aOff, taps, cin, s.cout());
        g.accumulate = false;
        float[] b = ws.floats(KernelWorkspace.PACKED_B, ShiftedGemm.packedSize(taps * cin, s.cout()));
        // B[(tap, ci), co] = w[co, ci, tap]
        ShiftedGemm.pack(taps, cin, eOff, taps, cin * taps, s.cout(), w, wo, b, 0);
        float[] a = in.a;
        Parallel.get().forRange(g.rows(), MR_LCM, (c, m0, m1) -> g.run(a, b, 0, y, ws.tile(c), m0, m1));
    }

    /** dx = conv^T(dy, w); dx overwritten. */
    public static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo,
                                    KernelWorkspace ws) {
        int st = s.stride(), p = s.pad(), kh = s.kh(), kw = s.kw(), taps = kh * kw;
        int h = s.h(), wd = s.w(), oh = s.oh(), ow = s.ow(), cin = s.cin(), cout = s.cout();
        // Phase (py, px) holds dx pixels (py + st*u, px + st*v); tap ky reaches it when
        // (py + p - ky) is a multiple of st, from dy row u + (py + p - ky)/st.
        int minY = 0, maxY = oh - 1, minX = 0, maxX = ow - 1;
        for (int py = 0; py < Math.min(st, h); py++) {
            int uy = (h - py + st - 1) / st;
            for (int ky = 0; ky < kh; ky++) {
                if (Math.floorMod(py + p - ky, st) != 0) continue;
                int d = Math.floorDiv(py + p - ky, st);
                minY = Math.min(minY, d);
                maxY = Math.max(maxY, uy - 1 + d);
            }
        }
        for (int px = 0; px < Math.min(st, wd); px++) {
            int ux = (wd - px + st - 1) / st;
            for (int kx = 0; kx < kw; kx++) {
                if (Math.floorMod(px + p - kx, st) != 0) continue;
                int d = Math.floorDiv(px + p - kx, st);
                minX = Math.min(minX, d);
                maxX = Math.max(maxX, ux - 1 + d);
            }
        }
        int top = -minY, left = -minX;
        int hp = maxY + 1 + top, wp = maxX + 1 + left;
        float[] a;
        int aConst;
        if (top == 0 && left == 0 && hp == oh && wp == ow) {
            a = dy;
            aConst = dyo;
        } else {
            a = ws.floats(KernelWorkspace.DY_PADDED, s.n() * hp * wp * cout);
            pad(dy, dyo, s.n(), oh, ow, cout, top, left, hp, wp, a);
            aConst = 0;
        }
        float[] b = ws.floats(KernelWorkspace.PACKED_B, ShiftedGemm.packedSize(taps * cout, cin));
        int bo = 0, phase = 0;
        for (int py = 0; py < Math.min(st, h); py++) {
            for (int px = 0; px < Math.min(st, wd); px++) {
                int uy = (h - py + st - 1) / st, ux = (wd - px + st - 1) / st;
                ShiftedGemm g = ws.pass(phase++);
                int[] aOff = g.offsets(taps);
                int[] eOff = g.packOffsets(taps);
                int e = 0;
                for (int ky = 0; ky < kh; ky++) {
                    if (Math.floorMod(py + p - ky, st) != 0) continue;
                    int dyy = Math.floorDiv(py + p - ky, st);
                    for (int kx = 0; kx < kw; kx++) {
                        if (Math.floorMod(px + p - kx, st) != 0) continue;
                        int dxx = Math.floorDiv(px + p - kx, st);
                        aOff[e] = (dyy * wp + dxx) * cout;
                        eOff[e] = ky * kw + kx;
                        e++;
                    }
                }
                int cConst = dxo + (py * wd + px) * cin;
                if (e == 0) {
                    zeroPhase(dx, cConst, s.n(), uy, ux, h * wd * cin, st * wd * cin, st * cin, cin);
                    continue;
                }
                g.rows(s.n(), uy, ux);
                g.a(aConst + (top * wp + left) * cout, hp * wp * cout, wp * cout, cout);
                g.c(cConst, h * wd * cin, st * wd * cin, st * cin);
                g.k(aOff, e, cout, cin);
                g.accumulate = false;
                // B[(tap, co), ci] = w[co, ci, tap]
                ShiftedGemm.pack(e, cout, eOff, cin * taps, taps, cin, w, wo, b, bo);
                int phaseB = bo;
                Parallel.get().forRange(g.rows(), MR_LCM, (c, m0, m1) -> g.run(a, b, phaseB, dx, ws.tile(c), m0, m1));
                bo += ShiftedGemm.packedSize(e * cout, cin);
            }
        }
    }

    /** dw[co,ci,ky,kx] += sum_{n,oy,ox} x[n, oy*s+ky-p, ox*s+kx-p, ci] * dy[n,oy,ox,co]. */
    public static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo,
                                       KernelWorkspace ws) {
        int oh = s.oh(), ow = s.ow(), taps = s.kh() * s.kw(), cin = s.cin(), cout = s.cout(), st = s.stride();
        PaddedInput in = padInput(s, x, xo, ws);
        int kTotal = taps * cin;
        int kPad = (kTotal + MR_LCM - 1) / MR_LCM * MR_LCM;
        int[] kOff = ws.ints(KernelWorkspace.PADDED, kPad);
        for (int ky = 0, k = 0; ky < s.kh(); ky++) {
            for (int kx = 0; kx < s.kw(); kx++) {
                for (int ci = 0; ci < cin; ci++, k++) kOff[k] = in.aConst + (ky * in.wp + kx) * cin + ci;
            }
        }
        for (int k = kTotal; k < kPad; k++) kOff[k] = kOff[kTotal - 1];
        int np = ShiftedGemm.paddedCols(cout);
        float[] d;
        int dOff, ldd;
        int pixels = s.n() * oh * ow;
        if (np == cout) {
            d = dy;
            dOff = dyo;
            ldd = cout;
        } else {
            d = ws.floats(KernelWorkspace.DY_PADDED, pixels * np);
            for (int m = 0; m < pixels; m++) {
                System.arraycopy(dy, dyo + m * cout, d, m * np, cout);
                Arrays.fill(d, m * np + cout, (m + 1) * np, 0f);
            }
            dOff = 0;
            ldd = np;
        }
        int partialSize = kPad * np;
        int aImg = in.hp * in.wp * cin, aU = st * in.wp * cin, aV = st * cin;
        int rowsPerTile = Math.max(1, DW_TILE_PIXELS / ow);
        float[] a = in.a;
        Arrays.fill(ws.partialUsed, false);
        Parallel.get().forRange(s.n() * oh, (c, q0, q1) -> {
            float[] part = ws.partial(c, partialSize);
            Arrays.fill(part, 0, partialSize, 0f);
            ws.partialUsed[c] = true;
            for (int t0 = q0; t0 < q1; t0 += rowsPerTile) {
                int t1 = Math.min(q1, t0 + rowsPerTile);
                for (int j0 = 0; j0 < np; j0 += 2 * L) {
                    if (np - j0 >= 2 * L) {
                        for (int k0 = 0; k0 < kTotal; k0 += MicroKernel.MR2) {
                            MicroKernel.w6x2(a, kOff, k0, aImg, aU, aV, oh, ow, t0, t1, d, dOff, ldd, j0,
                                    part, k0 * np + j0, np);
                        }
                    } else {
                        for (int k0 = 0; k0 < kTotal; k0 += MicroKernel.MR1) {
                            MicroKernel.w8x1(a, kOff, k0, aImg, aU, aV, oh, ow, t0, t1, d, dOff, ldd, j0,
                                    part, k0 * np + j0, np);
                        }
                    }
                }
            }
        });
        int chunks = 0;
        while (chunks < ws.partialUsed.length && ws.partialUsed[chunks]) chunks++;
        int used = chunks;
        float[][] parts = ws.partials;
        Parallel.get().forRange(kTotal, (c, k0, k1) -> {
            for (int k = k0; k < k1; k++) {
                int e = k / cin, ci = k - e * cin;
                for (int co = 0; co < cout; co++) {
                    float sum = 0f;
                    for (int t = 0; t < used; t++) sum += parts[t][k * np + co];
                    dw[dwo + (co * cin + ci) * taps + e] += sum;
                }
            }
        });
    }

    /** The input as the shifted GEMMs read it: zero-padded copy, or x itself when pad is 0. */
    private record PaddedInput(float[] a, int aConst, int hp, int wp) {}

    private static PaddedInput padInput(ConvShape s, float[] x, int xo, KernelWorkspace ws) {
        if (s.pad() == 0) return new PaddedInput(x, xo, s.h(), s.w());
        int hp = (s.oh() - 1) * s.stride() + s.kh();
        int wp = (s.ow() - 1) * s.stride() + s.kw();
        float[] a = ws.floats(KernelWorkspace.PADDED, s.n() * hp * wp * s.cin());
        pad(x, xo, s.n(), s.h(), s.w(), s.cin(), s.pad(), s.pad(), hp, wp, a);
        return new PaddedInput(a, 0, hp, wp);
    }

    /**
     * dst[n, py, px, :] = src[n, py - top, px - left, :] inside the source, else 0;
     * dst is [n, hp, wp, c]. Rows in parallel.
     */
    static void pad(float[] src, int so, int n, int h, int w, int c, int top, int left, int hp, int wp, float[] dst) {
        int pxa = Math.max(0, Math.min(wp, left)), pxb = Math.max(pxa, Math.min(wp, left + w));
        Parallel.get().forRange(n * hp, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int img = r / hp, py = r - img * hp, iy = py - top;
                int d = r * wp * c;
                if (iy < 0 || iy >= h || pxa == pxb) {
                    Arrays.fill(dst, d, d + wp * c, 0f);
                    continue;
                }
                Arrays.fill(dst, d, d + pxa * c, 0f);
                System.arraycopy(src, so + ((img * h + iy) * w + pxa - left) * c, dst, d + pxa * c, (pxb - pxa) * c);
                Arrays.fill(dst, d + pxb * c, d + wp * c, 0f);
            }
        });
    }

    private static void zeroPhase(float[] dx, int base, int n, int uy, int ux, int img, int rowStep, int colStep, int c) {
        for (int i = 0; i < n; i++) {
            for (int u = 0; u < uy; u++) {
                for (int v = 0; v < ux; v++) {
                    int o = base + i * img + u * rowStep + v * colStep;
                    Arrays.fill(dx, o, o + c, 0f);
                }
            }
        }
    }
}
