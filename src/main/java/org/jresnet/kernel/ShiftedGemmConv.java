package org.jresnet.kernel;

import org.jresnet.kernel.Padding.PaddedInput;

/**
 * Convolution as shifted GEMMs ({@link ShiftedGemm}), for any kernel size and stride: the
 * general algorithm, and the only one for 1x1 layers (one tap: a plain GEMM over pixels, x read
 * in place), strided layers and the 7x7 stem.
 *
 * <ul>
 *   <li>forward: every tap (ky,kx) is a GEMM [pixels, cin] x [cin, cout] shifted over the
 *       zero-padded input, all taps accumulated in registers.</li>
 *   <li>backwardData: dx is split by stride phase (iy mod s, ix mod s); each phase is a stride-1
 *       shifted GEMM of the padded dy with the taps that reach it and the weight transposed
 *       ([cout, cin] per tap), so nothing is scattered and no zero is multiplied. At stride 1
 *       there is one phase.</li>
 * </ul>
 */
final class ShiftedGemmConv {
    private ShiftedGemmConv() {}

    /** y = conv(x, w), y overwritten; packed weights from {@code cache} when not null. */
    static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo,
                        KernelWorkspace ws, PackedWeightCache cache) {
        forward(s, x, xo, w, wo, y, yo, ws, cache, null);
    }

    /** As above, then {@code epilogue} (null: none) on each tile of output pixels as it is finished. */
    static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo,
                        KernelWorkspace ws, PackedWeightCache cache, Epilogue epilogue) {
        int oh = s.oh(), ow = s.ow(), taps = s.kh() * s.kw(), cin = s.cin(), st = s.stride();
        PaddedInput in = Padding.input(s, x, xo, ws);
        ShiftedGemm g = ShiftedGemm.pass(ws, 0);
        int[] aOff = g.tapOffsets(taps);
        int[] eOff = g.packOffsets(taps);
        for (int ky = 0, e = 0; ky < s.kh(); ky++) {
            for (int kx = 0; kx < s.kw(); kx++, e++) {
                aOff[e] = (ky * in.wp() + kx) * cin;
                eOff[e] = e;
            }
        }
        g.rows(s.n(), oh, ow)
                .a(in.aConst(), in.hp() * in.wp() * cin, st * in.wp() * cin, st * cin)
                .c(yo, oh * ow * s.cout(), ow * s.cout(), s.cout())
                .k(taps, cin, s.cout(), false)
                .epilogue(epilogue, yo);
        // B[(tap, ci), co] = w[co, ci, tap]
        float[] b = PackedWeightCache.panels(cache, PackedWeightCache.SHIFTED, g.packedSize(), ws,
                dst -> g.packB(w, wo, taps, cin * taps, dst, 0));
        g.runParallel(in.a(), b, 0, y, ws);
    }

    /** dx = conv^T(dy, w), dx overwritten: one shifted GEMM per stride phase of dx. */
    static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo,
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
            Padding.pad(dy, dyo, s.n(), oh, ow, cout, top, left, hp, wp, a);
            aConst = 0;
        }
        float[] b = ws.floats(KernelWorkspace.PACKED_B, ShiftedGemm.packedSize(taps * cout, cin));
        int bo = 0, phase = 0;
        for (int py = 0; py < Math.min(st, h); py++) {
            for (int px = 0; px < Math.min(st, wd); px++) {
                int uy = (h - py + st - 1) / st, ux = (wd - px + st - 1) / st;
                ShiftedGemm g = ShiftedGemm.pass(ws, phase++);
                int[] aOff = g.tapOffsets(taps);
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
                g.rows(s.n(), uy, ux)
                        .a(aConst + (top * wp + left) * cout, hp * wp * cout, wp * cout, cout)
                        .c(cConst, h * wd * cin, st * wd * cin, st * cin)
                        .k(e, cout, cin, false);
                // B[(tap, co), ci] = w[co, ci, tap]
                g.packB(w, wo, cin * taps, taps, b, bo);
                g.runParallel(a, b, bo, dx, ws);
                bo += g.packedSize();
            }
        }
    }

    /** A phase no tap reaches (stride above the kernel size): its dx is zero. */
    private static void zeroPhase(float[] dx, int base, int n, int uy, int ux, int img, int rowStep, int colStep, int c) {
        for (int i = 0; i < n; i++) {
            for (int u = 0; u < uy; u++) {
                for (int v = 0; v < ux; v++) {
                    int o = base + i * img + u * rowStep + v * colStep;
                    java.util.Arrays.fill(dx, o, o + c, 0f);
                }
            }
        }
    }
}
