package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.F;
import static org.jresnet.kernel.MicroKernel.L;
import static org.jresnet.kernel.MicroKernel.MR_LCM;

import jdk.incubator.vector.FloatVector;
import org.jresnet.engine.Engine;

/**
 * Winograd F(2x2, 3x3) for stride-1, pad-1 3x3 convolutions (NHWC, OIHW weights, y overwritten):
 * 16 multiplies per 2x2 output block and channel pair instead of 36, so 2.25x fewer flops than
 * the direct kernels, which already run near the FMA peak.
 *
 * <pre>
 *   tiles:   4x4 input windows at stride 2 over the zero-padded input, one per 2x2 output block
 *   V = B^T d B    per tile and input channel        V[xi][tile][ci],  xi = 4*i + j in 0..16
 *   U = G g G^T    per (ci, co), once per call       U[xi] packed as a GEMM B panel [cin, cout]
 *   M[xi] = V[xi] U[xi]                              16 GEMMs [tiles, cin] x [cin, cout]
 *   Y = A^T M A    per tile and output channel      2x2 outputs
 * </pre>
 *
 * Channels are the vector lanes (NHWC), so both transforms are pure vector adds and subtracts.
 * Each thread takes blocks of {@link #tilesPerBlock} tiles: it transforms the block's input into
 * its own scratch, runs the 16 GEMMs per output panel with the register-blocked
 * {@link MicroKernel}s and transforms the panel straight into y, so V and M stay in L2 and nothing
 * of the activations' size is ever materialised. Every output value is computed by one thread in a
 * fixed order: results do not depend on the thread count or scheduling.
 *
 * <p>The weight gradient, the adjoint of this forward, is {@link Winograd3x3WeightGradient}.
 *
 * <p>Applies when cin and cout are multiples of the vector length; odd heights and widths take
 * zero-filled edge tiles and keep only their valid outputs. The engine's switches
 * ({@link org.jresnet.engine.EngineConfig#winograd}, {@code -Djresnet.winograd=false} for the
 * default engine) keep every convolution on the direct kernels, for A/B comparisons;
 * {@code -Djresnet.winograd.dw=false} only the weight gradients.
 */
public final class Winograd3x3 {
    /** Positions of the 4x4 transformed tile: one GEMM each. */
    private static final int XI = 16;
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
     * Tiles per block: V[16][tiles][cin] at most about {@code blockFloats} (the engine's budget, half of a 1 MB L2 by default), whole register
     * blocks of every kernel, and the blocks spread evenly over the threads (ResNet-50's 7x7 stage
     * at batch 16 has only 256 tiles: three blocks on two threads would idle one for a third).
     */
    static int tilesPerBlock(int cin, int tiles, int threads, int blockFloats) {
        int most = Math.max(MIN_TILES, Math.min(MAX_TILES, blockFloats / (XI * cin) / MR_LCM * MR_LCM));
        int perThread = (tiles + threads - 1) / threads;
        int blocksPerThread = (perThread + most - 1) / most;
        int t = (perThread + blocksPerThread - 1) / blocksPerThread;
        return Math.min(most, (t + MR_LCM - 1) / MR_LCM * MR_LCM);
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
        int n = s.n(), h = s.h(), wd = s.w(), cin = s.cin(), cout = s.cout();
        int th = (h + 1) / 2, tw = (wd + 1) / 2, tiles = n * th * tw;
        ws.ensureChunks(Engine.current().threads());
        float[] u = PackedWeightCache.panels(cache, PackedWeightCache.WINOGRAD, XI * cin * cout, ws,
                dst -> transformWeights(cin, cout, w, wo, flipped, dst, ws));
        Engine engine = Engine.current();
        int threads = engine.threads(), panels = ShiftedGemm.panelCount(cout);
        // Few tiles (a batch-1 7x7 layer: 16) and wide weights: split the output channels instead,
        // so each thread streams half of U (16 MB at 512 channels) once, over all the tiles as GEMM
        // rows, rather than all of U for a handful of rows. Same sums in the same order either way.
        boolean byPanels = threads > 1 && tiles < threads * MR_LCM && panels >= threads;
        int tb = byPanels ? (tiles + MR_LCM - 1) / MR_LCM * MR_LCM
                : tilesPerBlock(cin, tiles, threads, engine.winogradBlockFloats());
        int mw = ShiftedGemm.panelWidth(0, cout);
        int vSize = XI * tb * cin, mSize = XI * tb * mw, winSize = XI * cin;
        int[] kOff = ws.ints(KernelWorkspace.PADDED, cin);
        for (int k = 0; k < cin; k++) kOff[k] = k;
        boolean simd = epilogue != null && Simd.enabled();
        // each thread takes an even share of the tiles, in blocks of tb (its last one partial), and
        // every output panel; or (byPanels) every tile, in one block, and a share of the panels
        Share share = (c, q0, q1, jStart, jEnd) -> {
            float[] sc = ws.partial(c, vSize + mSize + winSize);
            KernelWorkspace.Tile tile = ws.tile(c);
            tile.ensureRows(XI * tb);
            int[] ar = tile.ar, cr = tile.cr;
            for (int r = 0; r < XI * tb; r++) {
                ar[r] = r * cin;
                cr[r] = vSize + r * mw;
            }
            for (int t0 = q0; t0 < q1; t0 += tb) {
                int nv = Math.min(tb, q1 - t0);
                int img0 = t0 / (th * tw), ty0 = (t0 - img0 * th * tw) / tw, tx0 = t0 - (img0 * th + ty0) * tw;
                for (int r = 0, img = img0, ty = ty0, tx = tx0; r < nv; r++) {
                    inputTile(x, xo, h, wd, cin, img, 2 * ty - 1, 2 * tx - 1, sc, r * cin, tb * cin, vSize + mSize);
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
                    for (int xi = 0; xi < XI; xi++) {
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
                        int oy = 2 * ty, ox = 2 * tx;
                        int out = yo + ((img * h + oy) * wd + ox) * cout + j0;
                        boolean row1 = oy + 1 < h, col1 = ox + 1 < wd;
                        outputTile(sc, vSize + r * mw, tb * mw, pw, y, out, wd * cout, cout, row1, col1);
                        if (epilogue != null) {   // the 2x2 block just stored, still in L1
                            int px = out - j0, rel = px - yo, below = wd * cout;   // the pixel's channel 0
                            epilogue.applyRow(y, px, rel, j0, j0 + pw, simd);
                            if (col1) epilogue.applyRow(y, px + cout, rel + cout, j0, j0 + pw, simd);
                            if (row1) epilogue.applyRow(y, px + below, rel + below, j0, j0 + pw, simd);
                            if (row1 && col1) {
                                epilogue.applyRow(y, px + below + cout, rel + below + cout, j0, j0 + pw, simd);
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
            engine.parallel().forRange(panels, (c, p0, p1) ->
                    share.run(c, 0, tiles, ShiftedGemm.panelColumn(p0, cout), ShiftedGemm.panelColumn(p1, cout)));
        } else {
            engine.parallel().forRange(tiles, (c, q0, q1) -> share.run(c, q0, q1, 0, cout));
        }
    }

    /** One thread's work: tiles [q0, q1), output channels [jStart, jEnd) (panel boundaries). */
    private interface Share {
        void run(int chunk, int q0, int q1, int jStart, int jEnd);
    }

    /**
     * U[xi] = (G g G^T)[xi] for g = w[co, ci] (3x3), stored as GEMM B panels:
     * {@code u[xi*cin*cout + j0*cin + ci*pw + co - j0]} for co in the panel [j0, j0+pw).
     * G = [[1,0,0], [1/2,1/2,1/2], [1/2,-1/2,1/2], [0,0,1]]. Vectorised over L output channels.
     */
    private static void transformWeights(int cin, int cout, float[] w, int wo, boolean flipped, float[] u,
                                         KernelWorkspace ws) {
        int groups = cout / L;
        int grain = Math.max(1, ShiftedGemm.MIN_PARALLEL_FLOATS / (XI * cin * L));
        Engine.current().parallel().forRange(groups, grain, (c, g0, g1) -> {
            float[] g = ws.tile(c).tmp;   // [9][L] gathered taps of L output channels
            for (int grp = g0; grp < g1; grp++) {
                int col0 = grp * L;
                int j0 = ShiftedGemm.panelStart(col0, cout), pw = ShiftedGemm.panelWidth(j0, cout);
                for (int ci = 0; ci < cin; ci++) {
                    for (int lane = 0; lane < L; lane++) {
                        if (flipped) {
                            int src = wo + (ci * cout + col0 + lane) * 9 + 8;
                            for (int tap = 0; tap < 9; tap++) g[tap * L + lane] = w[src - tap];
                        } else {
                            int src = wo + ((col0 + lane) * cin + ci) * 9;
                            for (int tap = 0; tap < 9; tap++) g[tap * L + lane] = w[src + tap];
                        }
                    }
                    weightTile(g, u, j0 * cin + ci * pw + col0 - j0, cin * cout);
                }
            }
        });
    }

    /** One (ci, L output channels) weight transform: g[9][L] -> u[o + xi*xiStride ..]. */
    private static void weightTile(float[] g, float[] u, int o, int xiStride) {
        FloatVector half = FloatVector.broadcast(F, 0.5f);
        FloatVector g00 = FloatVector.fromArray(F, g, 0 * L), g01 = FloatVector.fromArray(F, g, 1 * L);
        FloatVector g02 = FloatVector.fromArray(F, g, 2 * L), g10 = FloatVector.fromArray(F, g, 3 * L);
        FloatVector g11 = FloatVector.fromArray(F, g, 4 * L), g12 = FloatVector.fromArray(F, g, 5 * L);
        FloatVector g20 = FloatVector.fromArray(F, g, 6 * L), g21 = FloatVector.fromArray(F, g, 7 * L);
        FloatVector g22 = FloatVector.fromArray(F, g, 8 * L);
        // rows: Gg [4, 3]
        FloatVector a00 = g00, a01 = g01, a02 = g02;
        FloatVector a10 = g00.add(g10).add(g20).mul(half), a11 = g01.add(g11).add(g21).mul(half);
        FloatVector a12 = g02.add(g12).add(g22).mul(half);
        FloatVector a20 = g00.sub(g10).add(g20).mul(half), a21 = g01.sub(g11).add(g21).mul(half);
        FloatVector a22 = g02.sub(g12).add(g22).mul(half);
        FloatVector a30 = g20, a31 = g21, a32 = g22;
        // columns: (Gg) G^T [4, 4]
        a00.intoArray(u, o + 0 * xiStride);
        a00.add(a01).add(a02).mul(half).intoArray(u, o + 1 * xiStride);
        a00.sub(a01).add(a02).mul(half).intoArray(u, o + 2 * xiStride);
        a02.intoArray(u, o + 3 * xiStride);
        a10.intoArray(u, o + 4 * xiStride);
        a10.add(a11).add(a12).mul(half).intoArray(u, o + 5 * xiStride);
        a10.sub(a11).add(a12).mul(half).intoArray(u, o + 6 * xiStride);
        a12.intoArray(u, o + 7 * xiStride);
        a20.intoArray(u, o + 8 * xiStride);
        a20.add(a21).add(a22).mul(half).intoArray(u, o + 9 * xiStride);
        a20.sub(a21).add(a22).mul(half).intoArray(u, o + 10 * xiStride);
        a22.intoArray(u, o + 11 * xiStride);
        a30.intoArray(u, o + 12 * xiStride);
        a30.add(a31).add(a32).mul(half).intoArray(u, o + 13 * xiStride);
        a30.sub(a31).add(a32).mul(half).intoArray(u, o + 14 * xiStride);
        a32.intoArray(u, o + 15 * xiStride);
    }

    /**
     * V of the tile whose window starts at input (iy0, ix0) into v[vo + xi*xiStride ..]. A window
     * reaching into the padding is first copied, zero-filled, to {@code v[win ..]} ([4][4][cin]).
     */
    static void inputTile(float[] x, int xo, int h, int wd, int cin, int img, int iy0, int ix0,
                          float[] v, int vo, int xiStride, int win) {
        if (iy0 >= 0 && ix0 >= 0 && iy0 + 3 < h && ix0 + 3 < wd) {
            inputTransform(x, xo + ((img * h + iy0) * wd + ix0) * cin, wd * cin, cin, v, vo, xiStride);
            return;
        }
        // vector copies: a System.arraycopy call per pixel costs more than the transform itself
        FloatVector zero = FloatVector.zero(F);
        for (int ab = 0; ab < 16; ab++) {
            int iy = iy0 + (ab >> 2), ix = ix0 + (ab & 3), d = win + ab * cin;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                for (int c = 0; c < cin; c += L) zero.intoArray(v, d + c);
            } else {
                int src = xo + ((img * h + iy) * wd + ix) * cin;
                for (int c = 0; c < cin; c += L) FloatVector.fromArray(F, x, src + c).intoArray(v, d + c);
            }
        }
        inputTransform(v, win, 4 * cin, cin, v, vo, xiStride);
    }

    /** V = B^T d B for d = src[base + a*rowStride + b*cin + c] (a, b < 4), c < cin. */
    private static void inputTransform(float[] src, int base, int rowStride, int cin, float[] v, int vo, int xiStride) {
        for (int c = 0; c < cin; c += L) inputVector(src, base + c, rowStride, cin, v, vo + c, xiStride);
    }

    /**
     * One vector of channels of {@link #inputTransform}, in two halves; B^T = [[1,0,-1,0], [0,1,1,0],
     * [0,-1,1,0], [0,1,0,-1]]. No loop of its own: C2 guards a loop with range-check predicates for
     * all the accesses, which costs more than the transform when the loop runs once or twice (L or 2L
     * channels). Two halves, not one method: the whole transform (32 loads, 16 stores) sat at C2's
     * node budget, and in some JVMs its last stores were left unintrinsified, boxing vectors on the
     * heap (a 10% slower ResNet-56 step, seen in JFR); each half compiles well inside the budget.
     */
    private static void inputVector(float[] src, int p0, int rowStride, int cin, float[] v, int o, int xiStride) {
        inputRows01(src, p0, rowStride, cin, v, o, xiStride);
        inputRows23(src, p0, rowStride, cin, v, o, xiStride);
    }

    /** Rows 0 and 1 of B^T d B: t0 = d0 - d2, t1 = d1 + d2, each then times B. */
    private static void inputRows01(float[] src, int p0, int rowStride, int cin, float[] v, int o, int xiStride) {
        int p1 = p0 + rowStride, p2 = p1 + rowStride;
        FloatVector d00 = FloatVector.fromArray(F, src, p0), d01 = FloatVector.fromArray(F, src, p0 + cin);
        FloatVector d02 = FloatVector.fromArray(F, src, p0 + 2 * cin), d03 = FloatVector.fromArray(F, src, p0 + 3 * cin);
        FloatVector d10 = FloatVector.fromArray(F, src, p1), d11 = FloatVector.fromArray(F, src, p1 + cin);
        FloatVector d12 = FloatVector.fromArray(F, src, p1 + 2 * cin), d13 = FloatVector.fromArray(F, src, p1 + 3 * cin);
        FloatVector d20 = FloatVector.fromArray(F, src, p2), d21 = FloatVector.fromArray(F, src, p2 + cin);
        FloatVector d22 = FloatVector.fromArray(F, src, p2 + 2 * cin), d23 = FloatVector.fromArray(F, src, p2 + 3 * cin);
        FloatVector t00 = d00.sub(d20), t01 = d01.sub(d21), t02 = d02.sub(d22), t03 = d03.sub(d23);
        FloatVector t10 = d10.add(d20), t11 = d11.add(d21), t12 = d12.add(d22), t13 = d13.add(d23);
        t00.sub(t02).intoArray(v, o + 0 * xiStride);
        t01.add(t02).intoArray(v, o + 1 * xiStride);
        t02.sub(t01).intoArray(v, o + 2 * xiStride);
        t01.sub(t03).intoArray(v, o + 3 * xiStride);
        t10.sub(t12).intoArray(v, o + 4 * xiStride);
        t11.add(t12).intoArray(v, o + 5 * xiStride);
        t12.sub(t11).intoArray(v, o + 6 * xiStride);
        t11.sub(t13).intoArray(v, o + 7 * xiStride);
    }

    /** Rows 2 and 3 of B^T d B: t2 = d2 - d1, t3 = d1 - d3, each then times B. */
    private static void inputRows23(float[] src, int p0, int rowStride, int cin, float[] v, int o, int xiStride) {
        int p1 = p0 + rowStride, p2 = p1 + rowStride, p3 = p2 + rowStride;
        FloatVector d10 = FloatVector.fromArray(F, src, p1), d11 = FloatVector.fromArray(F, src, p1 + cin);
        FloatVector d12 = FloatVector.fromArray(F, src, p1 + 2 * cin), d13 = FloatVector.fromArray(F, src, p1 + 3 * cin);
        FloatVector d20 = FloatVector.fromArray(F, src, p2), d21 = FloatVector.fromArray(F, src, p2 + cin);
        FloatVector d22 = FloatVector.fromArray(F, src, p2 + 2 * cin), d23 = FloatVector.fromArray(F, src, p2 + 3 * cin);
        FloatVector d30 = FloatVector.fromArray(F, src, p3), d31 = FloatVector.fromArray(F, src, p3 + cin);
        FloatVector d32 = FloatVector.fromArray(F, src, p3 + 2 * cin), d33 = FloatVector.fromArray(F, src, p3 + 3 * cin);
        FloatVector t20 = d20.sub(d10), t21 = d21.sub(d11), t22 = d22.sub(d12), t23 = d23.sub(d13);
        FloatVector t30 = d10.sub(d30), t31 = d11.sub(d31), t32 = d12.sub(d32), t33 = d13.sub(d33);
        t20.sub(t22).intoArray(v, o + 8 * xiStride);
        t21.add(t22).intoArray(v, o + 9 * xiStride);
        t22.sub(t21).intoArray(v, o + 10 * xiStride);
        t21.sub(t23).intoArray(v, o + 11 * xiStride);
        t30.sub(t32).intoArray(v, o + 12 * xiStride);
        t31.add(t32).intoArray(v, o + 13 * xiStride);
        t32.sub(t31).intoArray(v, o + 14 * xiStride);
        t31.sub(t33).intoArray(v, o + 15 * xiStride);
    }

    /**
     * Y = A^T M A for m[mo + xi*xiStride + c] (c < width), A^T = [[1,1,1,0], [0,1,-1,-1]], into
     * y[out + a*rowStride + b*cout + c]; the second row / column only where it lies inside y.
     */
    private static void outputTile(float[] m, int mo, int xiStride, int width, float[] y, int out, int rowStride,
                                   int cout, boolean row1, boolean col1) {
        for (int c = 0; c < width; c += L) outputVector(m, mo + c, xiStride, y, out + c, rowStride, cout, row1, col1);
    }

    /** One vector of channels of {@link #outputTile} (no loop, as {@link #inputVector}). */
    private static void outputVector(float[] m, int o, int xiStride, float[] y, int q, int rowStride,
                                     int cout, boolean row1, boolean col1) {
        FloatVector m00 = FloatVector.fromArray(F, m, o + 0 * xiStride), m01 = FloatVector.fromArray(F, m, o + 1 * xiStride);
        FloatVector m02 = FloatVector.fromArray(F, m, o + 2 * xiStride), m03 = FloatVector.fromArray(F, m, o + 3 * xiStride);
        FloatVector m10 = FloatVector.fromArray(F, m, o + 4 * xiStride), m11 = FloatVector.fromArray(F, m, o + 5 * xiStride);
        FloatVector m12 = FloatVector.fromArray(F, m, o + 6 * xiStride), m13 = FloatVector.fromArray(F, m, o + 7 * xiStride);
        FloatVector m20 = FloatVector.fromArray(F, m, o + 8 * xiStride), m21 = FloatVector.fromArray(F, m, o + 9 * xiStride);
        FloatVector m22 = FloatVector.fromArray(F, m, o + 10 * xiStride), m23 = FloatVector.fromArray(F, m, o + 11 * xiStride);
        FloatVector m30 = FloatVector.fromArray(F, m, o + 12 * xiStride), m31 = FloatVector.fromArray(F, m, o + 13 * xiStride);
        FloatVector m32 = FloatVector.fromArray(F, m, o + 14 * xiStride), m33 = FloatVector.fromArray(F, m, o + 15 * xiStride);
        // rows: A^T M [2, 4]
        FloatVector s00 = m00.add(m10).add(m20), s01 = m01.add(m11).add(m21);
        FloatVector s02 = m02.add(m12).add(m22), s03 = m03.add(m13).add(m23);
        FloatVector s10 = m10.sub(m20).sub(m30), s11 = m11.sub(m21).sub(m31);
        FloatVector s12 = m12.sub(m22).sub(m32), s13 = m13.sub(m23).sub(m33);
        // columns: (A^T M) A [2, 2]
        s00.add(s01).add(s02).intoArray(y, q);
        if (col1) s01.sub(s02).sub(s03).intoArray(y, q + cout);
        if (row1) {
            s10.add(s11).add(s12).intoArray(y, q + rowStride);
            if (col1) s11.sub(s12).sub(s13).intoArray(y, q + rowStride + cout);
        }
    }
}
