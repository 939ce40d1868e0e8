package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.L;
import static org.jresnet.kernel.MicroKernel.MR_LCM;

import java.util.Arrays;
import org.jresnet.engine.Engine;

/**
 * Convolution on the Vector API, same contracts as {@link ConvScalar} (its scalar twin):
 * NHWC activations, OIHW weights, forward and backwardData overwrite, backwardWeights adds.
 *
 * <ul>
 *   <li>stride-1, pad-1 3x3 with at least two vectors of output channels (forward) or input
 *       channels (backwardData), or of input and output channels (backwardWeights):
 *       {@link Winograd3x3}, 2.25x fewer multiplies.</li>
 *   <li>forward: every tap (ky,kx) is a GEMM [pixels, cin] x [cin, cout] shifted over the
 *       zero-padded input, all accumulated in registers ({@link ShiftedGemm}). Stride-1 3-wide
 *       kernels with 16, 32 or 64k output channels take the row-direct kernels instead: blocks
 *       of adjacent output pixels, each input value broadcast once for its three kx taps (a
 *       broadcast costs a vector-unit slot, so fewer broadcasts per FMA is the whole game).</li>
 *   <li>backwardData: at stride 1 the forward of dy with the flipped, transposed kernel. Otherwise
 *       dx is split by stride phase (iy mod s, ix mod s); each phase is a stride-1 shifted GEMM
 *       of dy with the taps that reach it and the weight transposed ([cout, cin] per tap), so
 *       nothing is scattered and no zero is multiplied.</li>
 *   <li>backwardWeights: dW[co, (tap,ci)] = sum over pixels dy[pixel, co] * x[pixel+shift(tap), ci]
 *       with output channels as register rows and input channels as vector columns (or, for
 *       the 3-channel stem, k rows x cout vectors), per-thread partials over output rows
 *       reduced in chunk order (same thread count => bit-identical).</li>
 * </ul>
 * Weights are packed into panels per call in training (they are small next to the activations);
 * in eval mode the layer passes a {@link PackedWeightCache} and they are packed once and reused
 * until the weights change.
 */
public final class ConvSimd {
    /**
     * Floats of x per weight-gradient tile, and bounds on its pixels. A kernel call sweeps the
     * tile's pixels for one block of output channels and one group of input vectors, and the
     * next block sweeps the same x again: at 256 pixels that x (256 x 4 vectors = 64 KB) is still
     * in L1/L2 when it is read again. 2048-pixel tiles streamed x from L2 and beyond and ran
     * ResNet-50's 1x1 layers at 40-60 GFLOPS a core; 256 runs them at 80-90 (Zen 4, one thread).
     * Each tile also sweeps the whole partial dW once, so tiles are not made smaller still.
     */
    private static final int DW_TILE_FLOATS = 256 * 1024;
    private static final int DW_TILE_MIN_PIXELS = 64, DW_TILE_MAX_PIXELS = 256;

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
        forward(s, x, xo, w, wo, y, yo, ws, null);
    }

    /**
     * As {@link #forward(ConvShape, float[], int, float[], int, float[], int, KernelWorkspace)},
     * taking the packed weights from {@code cache} when it holds them (else packing into it);
     * null packs into the workspace every call.
     */
    public static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo,
                               KernelWorkspace ws, PackedWeightCache cache) {
        if (Winograd3x3.preferred(s)) {
            Winograd3x3.forward(s, x, xo, w, wo, y, yo, ws, cache);
            return;
        }
        int oh = s.oh(), ow = s.ow(), taps = s.kh() * s.kw(), cin = s.cin(), st = s.stride();
        PaddedInput in = padInput(s, x, xo, ws);
        ws.ensureChunks(Engine.current().threads());
        if (st == 1 && s.kw() == 3 && rowDirect(ow, s.cout())) {
            forwardRowDirect(s, in, w, wo, y, yo, ws, cache);
            return;
        }
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
        // B[(tap, ci), co] = w[co, ci, tap]
        float[] b = weightPanels(cache, PackedWeightCache.SHIFTED, ShiftedGemm.packedSize(taps * cin, s.cout()), ws,
                dst -> ShiftedGemm.pack(taps, cin, eOff, taps, cin * taps, s.cout(), w, wo, dst, 0));
        g.runParallel(in.a, b, 0, y, ws);
    }

    /** Packed weights from the cache (packing them there if it lacks them), else packed into the workspace. */
    private static float[] weightPanels(PackedWeightCache cache, int layout, int size, KernelWorkspace ws,
                                        java.util.function.Consumer<float[]> pack) {
        if (cache != null) return cache.get(layout, size, pack);
        float[] b = ws.floats(KernelWorkspace.PACKED_B, size);
        pack.accept(b);
        return b;
    }

    /** Output pixels per block of the row-direct kernels (adjacent in one output row). */
    private static final int ROW_BLOCK = 8, ROW_BLOCK_WIDE = 4;

    /** Whether the row-direct kernels cover an output row of width ow with ncol channels. */
    private static boolean rowDirect(int ow, int ncol) {
        if (ncol == L || ncol == 2 * L) return ow % ROW_BLOCK == 0;
        return ncol % (4 * L) == 0 && ow % ROW_BLOCK_WIDE == 0;
    }

    /**
     * Stride-1, 3-wide convolutions with 16, 32 or a multiple of 64 output channels: blocks of 8
     * (or 4, for 64-channel panels) adjacent output pixels, each input value broadcast once for
     * its three kx taps.
     */
    private static void forwardRowDirect(ConvShape s, PaddedInput in, float[] w, int wo, float[] y, int yo,
                                         KernelWorkspace ws, PackedWeightCache cache) {
        int oh = s.oh(), ow = s.ow(), kh = s.kh(), cin = s.cin(), cout = s.cout(), taps = kh * 3;
        int kk = kh * cin;
        ShiftedGemm g = ws.pass(0);
        int[] kOff = g.offsets(kk);
        int[] eOff = g.packOffsets(kk);
        for (int ky = 0, k = 0; ky < kh; ky++) {
            for (int ci = 0; ci < cin; ci++, k++) {
                kOff[k] = ky * in.wp * cin + ci;
                eOff[k] = ci * taps + ky * 3;
            }
        }
        // B[((ky, ci), kx), co] = w[co, ci, ky, kx]
        float[] b = weightPanels(cache, PackedWeightCache.ROW_DIRECT, ShiftedGemm.packedSize(kk * 3, cout), ws,
                dst -> ShiftedGemm.pack(kk, 3, eOff, 1, cin * taps, cout, w, wo, dst, 0));
        boolean wide = cout % (4 * L) == 0;
        int block = wide ? ROW_BLOCK_WIDE : ROW_BLOCK;
        int blocksPerRow = ow / block;
        int panels = wide ? cout / (4 * L) : 1;
        int aImg = in.hp * in.wp * cin, aU = in.wp * cin;
        float[] a = in.a;
        int aConst = in.aConst;
        boolean two = cout == 2 * L;
        Engine.current().parallel().forRange(s.n() * oh * blocksPerRow, (c, b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int row = blk / blocksPerRow, v0 = (blk - row * blocksPerRow) * block;
                int img = row / oh, u = row - img * oh;
                int base = aConst + img * aImg + u * aU + v0 * cin;
                int out = yo + (row * ow + v0) * cout;
                if (wide) {
                    for (int j = 0; j < panels; j++) {
                        MicroKernel.rd4x4(a, base, cin, kOff, kk, b, j * 4 * L * kk * 3, y, out + j * 4 * L, cout);
                    }
                } else if (two) {
                    MicroKernel.rd8x2(a, base, cin, kOff, kk, b, y, out, cout);
                } else {
                    MicroKernel.rd8x1(a, base, cin, kOff, kk, b, y, out, cout);
                }
            }
        });
    }

    /** dx = conv^T(dy, w); dx overwritten. */
    public static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo,
                                    KernelWorkspace ws) {
        int st = s.stride(), p = s.pad(), kh = s.kh(), kw = s.kw(), taps = kh * kw;
        int h = s.h(), wd = s.w(), oh = s.oh(), ow = s.ow(), cin = s.cin(), cout = s.cout();
        if (cin < L) {
            backwardDataByColumns(s, dy, dyo, w, wo, dx, dxo, ws);
            return;
        }
        boolean flip = st == 1 && kw == 3 && kh == kw && p <= kh - 1;
        ConvShape flipped = flip ? new ConvShape(s.n(), oh, ow, cout, cin, kh, kw, 1, kh - 1 - p) : null;
        if (flip && Winograd3x3.preferred(flipped)) {
            Winograd3x3.backwardData(s, dy, dyo, w, wo, dx, dxo, ws);
            return;
        }
        if (flip && rowDirect(wd, cin)) {
            // stride 1: dx is the forward convolution of dy with the flipped, transposed kernel
            float[] wf = ws.floats(KernelWorkspace.FLIPPED_W, s.weightSize());
            for (int co = 0; co < cout; co++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int ky = 0; ky < kh; ky++) {
                        for (int kx = 0; kx < kw; kx++) {
                            wf[((ci * cout + co) * kh + kh - 1 - ky) * kw + kw - 1 - kx] =
                                    w[wo + ((co * cin + ci) * kh + ky) * kw + kx];
                        }
                    }
                }
            }
            forward(flipped, dy, dyo, wf, 0, dx, dxo, ws);
            return;
        }
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
        ws.ensureChunks(Engine.current().threads());
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
                g.runParallel(a, b, phaseB, dx, ws);
                bo += ShiftedGemm.packedSize(e * cout, cin);
            }
        }
    }

    /**
     * backwardData for fewer input channels than one vector (the RGB stem): per output row,
     * col[ox, (ci, tap)] = dy[ox, :] · W[:, ci, tap] as one GEMM with wide columns, then each
     * column is added into the dx pixel its tap reached. Threads own whole images, so no two
     * write one dx pixel.
     */
    private static void backwardDataByColumns(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx,
                                              int dxo, KernelWorkspace ws) {
        int st = s.stride(), p = s.pad(), kh = s.kh(), kw = s.kw(), taps = kh * kw;
        int h = s.h(), wd = s.w(), oh = s.oh(), ow = s.ow(), cin = s.cin(), cout = s.cout();
        int kCols = cin * taps;
        ws.ensureChunks(Engine.current().threads());
        ShiftedGemm g = ws.pass(0);
        int[] aOff = g.offsets(1);
        int[] eOff = g.packOffsets(1);
        aOff[0] = 0;
        eOff[0] = 0;
        g.rows(s.n(), oh, ow);
        g.a(dyo, oh * ow * cout, ow * cout, cout);
        g.c(0, 0, 0, kCols);
        g.k(aOff, 1, cout, kCols);
        g.accumulate = false;
        float[] b = ws.floats(KernelWorkspace.PACKED_B, ShiftedGemm.packedSize(cout, kCols));
        // B[co, ci*taps + tap] = w[co, ci, tap]: each row of w is already a row of B
        ShiftedGemm.pack(1, cout, eOff, kCols, 1, kCols, w, wo, b, 0);
        Engine.current().parallel().forRange(s.n(), (c, i0, i1) -> {
            float[] col = ws.partial(c, ow * kCols);
            KernelWorkspace.Tile tile = ws.tile(c);
            for (int img = i0; img < i1; img++) {
                int dxImg = dxo + img * h * wd * cin;
                Arrays.fill(dx, dxImg, dxImg + h * wd * cin, 0f);
                for (int oy = 0; oy < oh; oy++) {
                    int m0 = (img * oh + oy) * ow;
                    g.run(dy, b, 0, col, tile, m0, m0 + ow);
                    for (int ky = 0; ky < kh; ky++) {
                        int iy = oy * st + ky - p;
                        if (iy < 0 || iy >= h) continue;
                        for (int ox = 0; ox < ow; ox++) {
                            int cb = ox * kCols;
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ox * st + kx - p;
                                if (ix < 0 || ix >= wd) continue;
                                int d = dxImg + (iy * wd + ix) * cin;
                                int t = ky * kw + kx;
                                for (int ci = 0; ci < cin; ci++) dx[d + ci] += col[cb + ci * taps + t];
                            }
                        }
                    }
                }
            }
        });
    }

    /** dw[co,ci,ky,kx] += sum_{n,oy,ox} x[n, oy*s+ky-p, ox*s+kx-p, ci] * dy[n,oy,ox,co]. */
    public static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo,
                                       KernelWorkspace ws) {
        if (Winograd3x3.preferredForWeights(s)) {
            Winograd3x3.backwardWeights(s, x, xo, dy, dyo, dw, dwo, ws);
            return;
        }
        int oh = s.oh(), ow = s.ow(), taps = s.kh() * s.kw(), cin = s.cin(), cout = s.cout(), st = s.stride();
        PaddedInput in = padInput(s, x, xo, ws);
        if (cin % L == 0 && cout % MicroKernel.MR1 == 0) {
            backwardWeightsByChannelRows(s, in, dy, dyo, dw, dwo, ws);
            return;
        }
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
        int tilePixels = Math.max(DW_TILE_MIN_PIXELS, Math.min(DW_TILE_MAX_PIXELS, DW_TILE_FLOATS / cin));
        int rowsPerTile = Math.max(1, tilePixels / ow);
        float[] a = in.a;
        ws.ensureChunks(Engine.current().threads());
        Arrays.fill(ws.partialUsed, false);
        Engine.current().parallel().forRange(s.n() * oh, (c, q0, q1) -> {
            float[] part = ws.partial(c, partialSize);
            Arrays.fill(part, 0, partialSize, 0f);
            ws.partialUsed[c] = true;
            KernelWorkspace.Tile tile = ws.tile(c);
            tile.ensureRows(rowsPerTile * ow);
            int[] pix = tile.ar;
            for (int t0 = q0; t0 < q1; t0 += rowsPerTile) {
                int t1 = Math.min(q1, t0 + rowsPerTile);
                for (int q = t0, i = 0; q < t1; q++) {
                    int img = q / oh, oy = q - img * oh;
                    for (int ox = 0; ox < ow; ox++, i++) pix[i] = img * aImg + oy * aU + ox * aV;
                }
                int m0 = t0 * ow, m1 = t1 * ow;
                for (int j0 = 0; j0 < np; j0 += 2 * L) {
                    if (np - j0 >= 2 * L) {
                        for (int k0 = 0; k0 < kTotal; k0 += MicroKernel.MR2) {
                            MicroKernel.w6x2(a, kOff, k0, pix, m0, m1, d, dOff, ldd, j0, part, k0 * np + j0, np);
                        }
                    } else {
                        for (int k0 = 0; k0 < kTotal; k0 += MicroKernel.MR1) {
                            MicroKernel.w8x1(a, kOff, k0, pix, m0, m1, d, dOff, ldd, j0, part, k0 * np + j0, np);
                        }
                    }
                }
            }
        });
        int used = ws.usedPartials();
        float[][] parts = ws.partials;
        // Blocks of L output channels: each partial row read is one cache line, and the writes
        // into dw run along (ci, tap) for each of the L channels.
        int coBlocks = (cout + L - 1) / L;
        int reduceGrain = Math.max(1, ShiftedGemm.MIN_PARALLEL_FLOATS / Math.max(1, kTotal * L * used));
        Engine.current().parallel().forRange(coBlocks, reduceGrain, (c, b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int c0 = blk * L, c1 = Math.min(cout, c0 + L);
                for (int ci = 0; ci < cin; ci++) {
                    for (int e = 0; e < taps; e++) {
                        int k = e * cin + ci;
                        for (int co = c0; co < c1; co++) {
                            float sum = 0f;
                            for (int t = 0; t < used; t++) sum += parts[t][k * np + co];
                            dw[dwo + (co * cin + ci) * taps + e] += sum;
                        }
                    }
                }
            }
        });
    }

    /**
     * dW with output channels as register rows and input channels as vector columns:
     * P[co, (tap, ci)] += dy[pixel, co] * x[pixel + shift(tap), ci]. The eight dy values of one
     * pixel are adjacent (one range check, broadcasts straight from memory) and every column
     * vector is 16 contiguous input channels, so this runs near the FMA peak; needs
     * cin % L == 0 and cout % 8 == 0 (every ResNet layer but the 3-channel stem).
     */
    private static void backwardWeightsByChannelRows(ConvShape s, PaddedInput in, float[] dy, int dyo,
                                                     float[] dw, int dwo, KernelWorkspace ws) {
        int oh = s.oh(), ow = s.ow(), taps = s.kh() * s.kw(), cin = s.cin(), cout = s.cout(), st = s.stride();
        int kTotal = taps * cin, vecs = kTotal / L;
        int[] colOff = ws.ints(KernelWorkspace.PADDED, vecs);
        for (int ky = 0, g = 0; ky < s.kh(); ky++) {
            for (int kx = 0; kx < s.kw(); kx++) {
                for (int ci = 0; ci < cin; ci += L, g++) colOff[g] = in.aConst + (ky * in.wp + kx) * cin + ci;
            }
        }
        int partialSize = cout * kTotal;
        int aImg = in.hp * in.wp * cin, aU = st * in.wp * cin, aV = st * cin;
        int tilePixels = Math.max(DW_TILE_MIN_PIXELS, Math.min(DW_TILE_MAX_PIXELS, DW_TILE_FLOATS / cin));
        int rowsPerTile = Math.max(1, tilePixels / ow);
        float[] a = in.a;
        ws.ensureChunks(Engine.current().threads());
        Arrays.fill(ws.partialUsed, false);
        Engine.current().parallel().forRange(s.n() * oh, (c, q0, q1) -> {
            float[] part = ws.partial(c, partialSize);
            Arrays.fill(part, 0, partialSize, 0f);
            ws.partialUsed[c] = true;
            KernelWorkspace.Tile tile = ws.tile(c);
            tile.ensureRows(rowsPerTile * ow);
            int[] pix = tile.ar;
            for (int t0 = q0; t0 < q1; t0 += rowsPerTile) {
                int t1 = Math.min(q1, t0 + rowsPerTile);
                for (int q = t0, i = 0; q < t1; q++) {
                    int img = q / oh, oy = q - img * oh;
                    for (int ox = 0; ox < ow; ox++, i++) pix[i] = img * aImg + oy * aU + ox * aV;
                }
                int m0 = t0 * ow, m1 = t1 * ow;
                int g = 0;
                for (; g + 4 <= vecs; g += 4) {
                    for (int co = 0; co < cout; co += 4) {
                        MicroKernel.wt4x4(a, pix, m0, m1, colOff[g], colOff[g + 1], colOff[g + 2], colOff[g + 3],
                                dy, dyo, cout, co, part, co * kTotal + g * L, kTotal);
                    }
                }
                for (; g < vecs; g += 2) {
                    for (int co = 0; co < cout; co += MicroKernel.MR1) {
                        if (g + 1 < vecs) {
                            MicroKernel.wt8x2(a, pix, m0, m1, colOff[g], colOff[g + 1], dy, dyo, cout, co,
                                    part, co * kTotal + g * L, kTotal);
                        } else {
                            MicroKernel.wt8x1(a, pix, m0, m1, colOff[g], dy, dyo, cout, co,
                                    part, co * kTotal + g * L, kTotal);
                        }
                    }
                }
            }
        });
        int used = ws.usedPartials();
        float[][] parts = ws.partials;
        int reduceGrain = Math.max(1, ShiftedGemm.MIN_PARALLEL_FLOATS / Math.max(1, kTotal * used));
        Engine.current().parallel().forRange(cout, reduceGrain, (c, c0, c1) -> {
            for (int co = c0; co < c1; co++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int e = 0; e < taps; e++) {
                        int k = co * kTotal + e * cin + ci;
                        float sum = 0f;
                        for (int t = 0; t < used; t++) sum += parts[t][k];
                        dw[dwo + (co * cin + ci) * taps + e] += sum;
                    }
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
        int grain = Math.max(1, ShiftedGemm.MIN_PARALLEL_FLOATS / Math.max(1, wp * c));
        Engine.current().parallel().forRange(n * hp, grain, (chunk, r0, r1) -> {
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
