package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.L;
import static org.jresnet.kernel.MicroKernel.MR_LCM;

import org.jresnet.engine.Engine;

/**
 * Winograd convolution for stride-1, pad-1 3x3 convolutions (NHWC, OIHW weights, y overwritten):
 * F(2x2, 3x3) ({@link WinogradF2}: 16 multiplies per 2x2 output block and channel pair instead of
 * 36, 2.25x fewer flops than the direct kernels) in training, F(4x4, 3x3) ({@link WinogradF4}: 36
 * per 4x4 block, 4x fewer) at inference where its tiles cover no more than F(2x2)'s ({@link #f4}).
 *
 * <pre>
 *   tiles:   alpha x alpha input windows at stride m over the zero-padded input (alpha = m + 2),
 *            one per m x m output block
 *   V = B^T d B    per tile and input channel        V[xi][tile][ci],  xi = alpha*i + j < alpha^2
 *   U = G g G^T    per (ci, co), once per call       U[xi] packed as a GEMM B panel [cin, cout]
 *                  (once per weights at inference)
 *   M[xi] = V[xi] U[xi]                              alpha^2 GEMMs [tiles, cin] x [cin, cout]
 *   Y = A^T M A    per tile and output channel      m x m outputs
 * </pre>
 *
 * Channels are the vector lanes (NHWC), so the transforms are vector adds and multiplies by constants.
 * Each thread takes blocks of {@link #tilesPerBlock} tiles: it transforms the block's input into
 * its own scratch, runs the GEMMs per output panel with the register-blocked
 * {@link MicroKernel}s and transforms the panel straight into y, so V and M stay in L2 and nothing
 * of the activations' size is ever materialised. Every output value is computed by one thread in a
 * fixed order: results do not depend on the thread count or scheduling.
 *
 * <p>The weight gradient, the adjoint of the F(2x2) forward, is {@link Winograd3x3WeightGradient}.
 *
 * <p>Applies when cin and cout are multiples of the vector length; odd heights and widths take
 * zero-filled edge tiles and keep only their valid outputs. The engine's switches
 * ({@link org.jresnet.engine.EngineConfig#winograd}, {@code -Djresnet.winograd=false} for the
 * default engine) keep every convolution on the direct kernels, for A/B comparisons;
 * {@code -Djresnet.winograd.dw=false} only the weight gradients; {@code -Djresnet.winograd.f4=false}
 * keeps inference on F(2x2).
 */
public final class Winograd3x3 {
    private static final int MIN_TILES = MR_LCM, MAX_TILES = 10 * MR_LCM;

    private Winograd3x3() {}

    /** Whether the current engine lets 3x3 convolutions take this path. */
    public static boolean enabled() { return Engine.current().winograd(); }

    /** Whether the current engine lets weight gradients take this path too. */
    public static boolean weightGradientEnabled() { return Engine.current().winogradWeightGradient(); }

    /** Whether this algorithm computes {@code s}: stride 1, 3x3, pad 1, whole vectors of channels. */
    static boolean applies(ConvShape s) {
        return s.stride() == 1 && s.kh() == 3 && s.kw() == 3 && s.pad() == 1
                && s.cin() % L == 0 && s.cout() % L == 0;
    }

    /**
     * Whether ConvSimd should take this path for {@code s}: not for one vector of output channels,
     * where every GEMM step is one broadcast per FMA and the row-direct kernels stay faster
     * (docs/benchmark.md, "Kernel tuning").
     */
    static boolean preferred(ConvShape s) {
        return enabled() && applies(s) && s.cout() >= 2 * L;
    }

    /**
     * Whether ConvSimd should compute the weight gradient of {@code s} this way: not for one
     * vector of channels, where the GEMM is one broadcast per FMA and the transforms cost as much
     * as the GEMM (docs/benchmark.md, "Kernel tuning").
     */
    static boolean preferredForWeights(ConvShape s) {
        return weightGradientEnabled() && applies(s) && s.cin() >= 2 * L && s.cout() >= 2 * L;
    }

    /**
     * Whether a forward of {@code s} takes F(4x4, 3x3): only where the weights are fixed (a cache:
     * inference), so its larger weight transform is made once (training keeps F(2x2), whose results
     * every earlier run was trained with); and on planes of whole 4x4 tiles only (ResNet-50's 56x56
     * and 28x28). Not 14x14, where F(4x4) covers 16x16: on Zen 5 that was slower at batch 16
     * (docs/benchmark.md, "Kernel tuning"), on Zen 4 faster (10.8 -> 9.3 ms), both within noise at
     * batch 1. Not 7x7 either, where both cover 8x8 and F(4x4) needs 36 multiplies a tile against
     * 4 x 16, but its U is 36/16 of F(2x2)'s (37.7 MB against 16.8 for 512 channels), which a
     * batch-1 forward reads from memory every time: ResNet-50 on Zen 4, in-JVM A/Bs of 70 forwards a
     * side, batch 1 -2.2% with F(2x2) there (four runs: -3.3, -1.5, -3.8, 0%), batch 16 +0.9% (+1.1,
     * +1.4, +0.3); on 2026-12-06's Intel machine F(4x4) had gained batch 16 3.5%. The rule reads the
     * plane only, never the batch size: an image's logits must not depend on how many images share
     * its batch ({@code BatchInvarianceTest}).
     */
    static boolean f4(ConvShape s, boolean weightsFixed) {
        if (!weightsFixed || !Engine.current().winogradF4()) return false;
        return s.h() % 4 == 0 && s.w() % 4 == 0;
    }

    /**
     * Tiles per block: V[xi][tiles][cin] at most about {@code blockFloats} (the engine's budget, half of a 1 MB L2 by default), whole register
     * blocks of every kernel, and the blocks spread evenly over the threads (ResNet-50's 7x7 stage
     * at batch 16 has only 256 tiles: three blocks on two threads would idle one for a third).
     */
    static int tilesPerBlock(int cin, int tiles, int threads, int blockFloats, int xi) {
        int most = Math.max(MIN_TILES, Math.min(MAX_TILES, blockFloats / (xi * cin) / MR_LCM * MR_LCM));
        int perThread = (tiles + threads - 1) / threads;
        int blocksPerThread = (perThread + most - 1) / most;
        int t = (perThread + blocksPerThread - 1) / blocksPerThread;
        return Math.min(most, (t + MR_LCM - 1) / MR_LCM * MR_LCM);
    }

    /**
     * Whether V's rows go at {@link MicroKernel#KC} floats apart, as ShiftedGemm's gathered rows
     * (512-bit vectors, 4L-wide panels) where a row fits. Not for narrow rows (ResNet-20's 16 and
     * 32 channels), whose scratch would grow tenfold for little.
     */
    static boolean packedRows(int cin, int cout) {
        return MicroKernel.PACKED_ROWS && cout >= 4 * L && cin >= 4 * L && cin <= MicroKernel.KC;
    }

    /** Floats of one k block of a B panel: it stays in L1 while the block's tiles stream past it. */
    private static final int B_L1_FLOATS = 4 * 1024;

    /** y[n,oy,ox,co] = sum_{ky,kx,ci} x[n, oy+ky-1, ox+kx-1, ci] * w[co,ci,ky,kx]; y overwritten. */
    static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo, KernelWorkspace ws) {
        forward(s, x, xo, w, wo, false, y, yo, ws, null, null);
    }

    /** As above, the transformed weights taken from (or made into) {@code cache} when it is not null. */
    static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo, KernelWorkspace ws,
                        PackedWeightCache cache) {
        forward(s, x, xo, w, wo, false, y, yo, ws, cache, null);
    }

    /** As above, then {@code epilogue} (null: none) on each output tile as it is stored. */
    static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo, KernelWorkspace ws,
                        PackedWeightCache cache, Epilogue epilogue) {
        forward(s, x, xo, w, wo, false, y, yo, ws, cache, epilogue);
    }

    /**
     * dx of a stride-1 pad-1 3x3 convolution {@code s}: the forward of dy with the flipped,
     * transposed kernel, read straight from w by the weight transform (no flipped copy of w).
     */
    static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo,
                             KernelWorkspace ws) {
        ConvShape t = new ConvShape(s.n(), s.oh(), s.ow(), s.cout(), s.cin(), 3, 3, 1, 1);
        forward(t, dy, dyo, w, wo, true, dx, dxo, ws, null, null);
    }

    /** As {@link #forward}; {@code flipped}: the weight is w'[co,ci,ky,kx] = w[ci,co,2-ky,2-kx]. */
    private static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, boolean flipped, float[] y, int yo,
                                KernelWorkspace ws, PackedWeightCache cache, Epilogue epilogue) {
        forward(s, x, xo, w, wo, flipped, y, yo, ws, cache, epilogue,
                f4(s, cache != null) ? WinogradF4.INSTANCE : WinogradF2.INSTANCE);
    }

    /** The forward with the variant {@code t} (tests take F(4x4) on planes of partial tiles too). */
    static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo, KernelWorkspace ws,
                        PackedWeightCache cache, Epilogue epilogue, WinogradTransform t) {
        forward(s, x, xo, w, wo, false, y, yo, ws, cache, epilogue, t);
    }

    private static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, boolean flipped, float[] y, int yo,
                                KernelWorkspace ws, PackedWeightCache cache, Epilogue epilogue, WinogradTransform t) {
        Engine engine = Engine.current();
        int n = s.n(), h = s.h(), wd = s.w(), cin = s.cin(), cout = s.cout(), m = t.m, xis = t.xi;
        int th = (h + m - 1) / m, tw = (wd + m - 1) / m, tiles = n * th * tw;
        ws.ensureChunks(engine.threads());
        float[] u = PackedWeightCache.panels(cache, t.layout, xis * cin * cout, ws,
                dst -> t.transformWeights(cin, cout, w, wo, flipped, dst, ws));
        int threads = engine.threads(), panels = ShiftedGemm.panelCount(cout);
        // Few tiles (a batch-1 7x7 layer: 16) and wide weights: split the output channels instead,
        // so each thread streams half of U (16 MB at 512 channels) once, over all the tiles as GEMM
        // rows, rather than all of U for a handful of rows. Also when there are fewer tiles than
        // output channels (U outweighs V: batch-1 14x14 and 28x28 layers) and V of all of them still
        // fits in about L2. Same sums in the same order either way.
        boolean byPanels = threads > 1 && panels >= threads && (tiles < threads * MR_LCM
                || tiles < cout && (long) xis * tiles * cin <= 4L * engine.winogradBlockFloats());
        int tb = byPanels ? (tiles + MR_LCM - 1) / MR_LCM * MR_LCM
                : tilesPerBlock(cin, tiles, threads, engine.winogradBlockFloats(), xis);
        int mw = ShiftedGemm.panelWidth(0, cout);
        // V's rows MicroKernel.KC apart where they fit in it (as ShiftedGemm's gathered rows: spread
        // over the cache sets); the gaps are never touched, so the cache holds the same lines
        boolean packed = packedRows(cin, cout);
        int ldv = packed ? MicroKernel.KC : cin;
        int vSize = xis * tb * ldv, mSize = xis * tb * mw, winSize = xis * cin, tmp = vSize + mSize + winSize;
        int[] kOff = ws.ints(KernelWorkspace.PADDED, cin);
        for (int k = 0; k < cin; k++) kOff[k] = k;
        boolean simd = epilogue != null && Simd.enabled();
        // blocks of tb tiles (the last one partial) with every output panel; or (byPanels) every
        // tile, in one block whose input the thread transforms once, with a share of the panels
        Share share = (c, q0, q1, jStart, jEnd, transform) -> {
            float[] sc = ws.partial(c, tmp + t.scratchFloats());
            KernelWorkspace.Tile tile = ws.tile(c);
            tile.ensureRows(xis * tb);
            float[] blk = epilogue == null ? null : tile.scratchC(m * m * mw);
            int[] ar = tile.ar, cr = tile.cr;
            for (int r = 0; r < xis * tb; r++) {
                ar[r] = r * ldv;
                cr[r] = vSize + r * mw;
            }
            for (int t0 = q0; t0 < q1; t0 += tb) {
                int nv = Math.min(tb, q1 - t0);
                int img0 = t0 / (th * tw), ty0 = (t0 - img0 * th * tw) / tw, tx0 = t0 - (img0 * th + ty0) * tw;
                for (int r = 0, img = img0, ty = ty0, tx = tx0; transform && r < nv; r++) {
                    t.inputTile(x, xo, h, wd, cin, img, m * ty - 1, m * tx - 1, sc, r * ldv, tb * ldv, vSize + mSize, tmp);
                    if (++tx == tw) {
                        tx = 0;
                        if (++ty == th) {
                            ty = 0;
                            img++;
                        }
                    }
                }
                for (int j0 = jStart, pw; j0 < jEnd; j0 += pw) {
                    pw = ShiftedGemm.panelWidth(j0, cout);
                    int mr = pw == 4 * L ? MicroKernel.MR4D : ShiftedGemm.panelRows(pw);
                    int kc = Math.max(L, B_L1_FLOATS / pw);
                    for (int xi = 0; xi < xis; xi++) {
                        int bo = xi * cin * cout + j0 * cin;
                        for (int k0 = 0; k0 < cin; k0 += kc) {
                            int k1 = Math.min(cin, k0 + kc);
                            boolean acc = k0 > 0;
                            for (int rb = xi * tb, re = rb + nv; rb < re; rb += mr) {
                                if (pw == 4 * L) {
                                    MicroKernel.k4d(sc, ar, rb, k0, k1, u, bo, sc, cr, rb, 0, acc);
                                } else if (pw == 2 * L) {
                                    MicroKernel.k6x2d(sc, ar, rb, k0, k1, u, bo, sc, cr, rb, 0, acc);
                                } else {
                                    MicroKernel.k8x1(sc, ar, rb, kOff, k0, k1, u, bo, sc, cr, rb, 0, acc);
                                }
                            }
                        }
                    }
                    for (int r = 0, img = img0, ty = ty0, tx = tx0; r < nv; r++) {
                        int oy = m * ty, ox = m * tx;
                        int out = yo + ((img * h + oy) * wd + ox) * cout + j0;
                        int rows = Math.min(m, h - oy), cols = Math.min(m, wd - ox);
                        if (epilogue == null) {
                            t.outputTile(sc, vSize + r * mw, tb * mw, pw, y, out, wd * cout, cout, rows, cols, tmp);
                        } else {
                            // The block goes to L1 scratch ([m][m][pw]) and the epilogue writes y from
                            // it: y is written once and never read back (reading back a line just
                            // stored waits for it to come from memory), and y may be the residual.
                            t.outputTile(sc, vSize + r * mw, tb * mw, pw, blk, 0, m * pw, pw, rows, cols, tmp);
                            for (int a = 0; a < rows; a++) {
                                int px0 = out - j0 + a * wd * cout;             // channel 0 of the row's first pixel
                                if (pw == cout) {                               // whole pixels: the row's in one call
                                    epilogue.applyRowsFrom(blk, a * m * pw, y, px0, px0 - yo, cols, cout, simd);
                                    continue;
                                }
                                for (int b = 0, px = px0; b < cols; b++, px += cout) {
                                    epilogue.applyRowFrom(blk, (a * m + b) * pw - j0, y, px, px - yo, j0, j0 + pw, simd);
                                }
                            }
                        }
                        if (++tx == tw) {
                            tx = 0;
                            if (++ty == th) {
                                ty = 0;
                                img++;
                            }
                        }
                    }
                }
            }
        };
        if (byPanels) {
            engine.parallel().forUnits(panels, (c, units) -> {
                for (int p = units.next(), first = p; p >= 0; p = units.next()) {
                    share.run(c, 0, tiles, ShiftedGemm.panelColumn(p, cout), ShiftedGemm.panelColumn(p + 1, cout), p == first);
                }
            });
        } else {
            engine.parallel().forRangeBalanced(tiles, tb, (c, q0, q1) -> share.run(c, q0, q1, 0, cout, true));
        }
    }

    /**
     * One unit of work: tiles [q0, q1) in blocks of tb, output channels [jStart, jEnd) (panel
     * boundaries); {@code transform}: the blocks' input first (else it is the chunk's scratch
     * already: the same single block as the chunk's last unit).
     */
    private interface Share {
        void run(int chunk, int q0, int q1, int jStart, int jEnd, boolean transform);
    }
}
