package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.L;
import static org.jresnet.kernel.MicroKernel.MR1;
import static org.jresnet.kernel.MicroKernel.MR2;
import static org.jresnet.kernel.MicroKernel.MR4;
import static org.jresnet.kernel.MicroKernel.MR_LCM;

import java.util.Arrays;
import org.jresnet.engine.Engine;
import org.jresnet.engine.Parallel;

/**
 * A GEMM whose A rows are read in place through offsets — the engine of every SIMD convolution
 * pass and of {@link Gemm}:
 *
 * <pre>
 *   C[row, 0:ncol] (+)= sum_{e < taps} sum_{i < kin} a[aRow(row) + aOff[e] + i] * B[e*kin + i, 0:ncol]
 *   row = (img, u, v):  aRow = aConst + img*aImg + u*aU + v*aV,  cRow = cConst + img*cImg + u*cU + v*cV
 * </pre>
 *
 * A convolution's tap (ky,kx) is one e with aOff = its shift in the (padded) input, so no im2col
 * buffer of the activations' size is ever written (strided 3x3 layers gather one tile of rows at a
 * time into a small dense block, for the dense kernels). B is packed in panels of 4L columns (then 2L, then L at the right edge), each k-major: {@code B[panel][e][i][0..W)}, columns past ncol zero.
 * Rows and columns that do not fill a register block go through a small tile (copy-in, copy-out).
 */
final class ShiftedGemm {
    /**
     * Rows of C per tile: the A rows of one tile are reused from L1 across panels and k blocks,
     * so they must stay there beside a 4L-column panel of B (docs/benchmark.md, "Kernel tuning").
     */
    private static final int TILE_ROWS = MR_LCM;
    /**
     * Floats of packed B per k block (1 MB: one block of B fits the L2 while a tile streams
     * through). Longer k blocks mean fewer passes over each tile's sums: ResNet-50 at batch 16
     * p10 577 -> 553 ms, batch 1 38.5 -> 37.9 ms against a quarter of this (Zen 4, one JVM
     * alternating). Depends on the shape only, never on the rows: the k blocks set the rounding.
     */
    private static final int B_BLOCK_FLOATS = 256 * 1024;
    /** Floats of packed B in one group of panels of a column-split pass: a quarter of a 1 MB L2. */
    private static final int B_GROUP_FLOATS = 64 * 1024;
    /**
     * Floats of packed B (4 MB, several times any L2 here) from which a row-split pass takes its
     * k blocks outermost (see run), summing them in C itself: ResNet-50's 2048x512 1x1 layers at
     * batch 16 6.3-6.6 -> 5.1-5.3 ms (Intel Xeon, family 6), equal on Zen 4. Below it, tile by tile
     * with the sums in L1 scratch is faster on Zen 4 (batch 16 with BN+ReLU, p10 of 20 alternating
     * calls: 256x1024 13.7 -> 10.9 ms, 1024x256 10.8 -> 9.7, 1024x512 17.3 -> 16.0; the last one
     * had gained 10.9-11.5 -> 10.1 from k blocks outermost on Intel before the scratch existed).
     */
    static final int K_OUTER_B_FLOATS = 1024 * 1024;
    /** Copies smaller than this run on the calling thread: waking a worker costs more. */
    static final int MIN_PARALLEL_FLOATS = 32 * 1024;

    private int images, uCount, vCount;
    private int aConst, aImg, aU, aV;
    private int cConst, cImg, cU, cV;
    private int taps, kin, ncol;
    private boolean accumulate;           // into C, else overwrite

    private int[] kOff = new int[0];
    private int[] kRun = new int[0];      // kRun[k]: how many of kOff[k], kOff[k+1], ... are consecutive
    private int[] kIdentity = new int[0]; // kIdentity[k] == k: the offsets of gathered (dense) rows
    private boolean denseK;               // kOff[k] == k: one tap at shift 0 (a 1x1 convolution)
    private boolean gather;               // copy each tile's A rows into a dense block first
    private boolean packable;             // gathered rows go MicroKernel.KC floats apart
    private int kBlock;
    private Epilogue epilogue;            // applied to each C row tile once its K is summed; null: none
    private int epilogueBase;             // C's element 0 for the epilogue's residual
    private int[] offsetBuf = new int[0], packBuf = new int[0];

    /*
     * Every pass is set up the same way, in one statement:
     *
     *   ShiftedGemm g = ShiftedGemm.pass(ws, i);
     *   fill g.tapOffsets(taps)[e] (tap e's shift in A) and g.packOffsets(taps)[e] (its weights)
     *   g.rows(images, u, v).a(...).c(...).k(taps, kin, ncol, accumulate);
     *   g.packB(w, wo, iStride, colStride, dst, dstOff);     // or weights packed earlier
     *   g.runParallel(a, dst, dstOff, c, ws);
     */

    /** The workspace's reusable pass {@code i} (a convolution's backward runs one per stride phase), chunks made room for. */
    static ShiftedGemm pass(KernelWorkspace ws, int i) {
        ws.ensureChunks(Engine.current().threads());
        return ws.pass(i);
    }

    /** This pass's own array for {@code n} tap offsets into A (kept across calls). */
    int[] tapOffsets(int n) {
        if (offsetBuf.length < n) offsetBuf = new int[n];
        return offsetBuf;
    }

    /** This pass's own array for {@code n} packing offsets into the weights (kept across calls). */
    int[] packOffsets(int n) {
        if (packBuf.length < n) packBuf = new int[n];
        return packBuf;
    }

    int rows() { return images * uCount * vCount; }

    private int kTotal() { return taps * kin; }

    /** Columns of packed B rounded up to whole vectors. */
    static int paddedCols(int ncol) { return (ncol + L - 1) / L * L; }

    /** Floats of packed B for {@code k} rows and {@code ncol} columns. */
    static int packedSize(int k, int ncol) { return k * paddedCols(ncol); }

    /** Floats of this pass's packed B. */
    int packedSize() { return packedSize(kTotal(), ncol); }

    /** C rows are (img, u, v) for img < images, u < uCount, v < vCount. */
    ShiftedGemm rows(int images, int uCount, int vCount) {
        this.images = images;
        this.uCount = uCount;
        this.vCount = vCount;
        return this;
    }

    /** Row (img, u, v) of A starts at aConst + img*aImg + u*aU + v*aV. */
    ShiftedGemm a(int aConst, int aImg, int aU, int aV) {
        this.aConst = aConst;
        this.aImg = aImg;
        this.aU = aU;
        this.aV = aV;
        return this;
    }

    /** Row (img, u, v) of C starts at cConst + img*cImg + u*cU + v*cV. */
    ShiftedGemm c(int cConst, int cImg, int cU, int cV) {
        this.cConst = cConst;
        this.cImg = cImg;
        this.cU = cU;
        this.cV = cV;
        return this;
    }

    /**
     * {@code taps} taps (their shifts: the first entries of {@link #tapOffsets}), inner length
     * and columns; K = taps*kin is cut into blocks. C is overwritten unless {@code accumulate}.
     */
    ShiftedGemm k(int taps, int kin, int ncol, boolean accumulate) {
        this.taps = taps;
        this.kin = kin;
        this.ncol = ncol;
        this.accumulate = accumulate;
        this.epilogue = null;
        int[] aOff = offsetBuf;
        int kTotal = taps * kin;
        if (kOff.length < kTotal) kOff = new int[kTotal];
        for (int e = 0, k = 0; e < taps; e++) {
            for (int i = 0; i < kin; i++, k++) kOff[k] = aOff[e] + i;
        }
        denseK = taps == 1 && aOff[0] == 0;
        // Rows read through tap offsets run the 3-row kernel (the 6-row one runs out of general
        // registers with per-row indices); gathered into a dense block once per tile and k block,
        // they run the dense kernels for every panel (ResNet-50's stride-2 3x3 layers: 1.4x). Not
        // for short runs (the RGB stem's 3 channels a tap: the copies cost more than they save),
        // nor for one vector of columns, which has no dense kernel.
        gather = !denseK && kin >= L && paddedCols(ncol) >= 2 * L;
        // At 512 bits gathered rows go MicroKernel.KC apart (spread over the cache sets); dense
        // rows (1x1) are read where they are. Both run the one 4-row kernel, k4x4d.
        boolean wide = MicroKernel.PACKED_ROWS && paddedCols(ncol) >= 4 * L;
        packable = wide && gather;
        if (gather) {
            if (kRun.length < kTotal) {
                kRun = new int[kTotal];
                kIdentity = new int[kTotal];
            }
            for (int k = kTotal - 1; k >= 0; k--) {
                kRun[k] = k + 1 < kTotal && kOff[k + 1] == kOff[k] + 1 ? kRun[k + 1] + 1 : 1;
                kIdentity[k] = k;
            }
        }
        int kc = Math.max(64, B_BLOCK_FLOATS / paddedCols(ncol));
        // k blocks of at most a gathered row, for dense rows too (they used to be copied at that
        // stride; the k blocks set the rounding, so ResNet-50's logits stayed as they were)
        if (wide && (gather || denseK)) kc = Math.min(kc, MicroKernel.KC);
        int parts = (kTotal + kc - 1) / kc;
        kBlock = (kTotal + parts - 1) / parts;
        return this;
    }

    /**
     * After {@link #k}: each tile of C rows gets {@code e} ({@link Epilogue}) as soon as its sum
     * is complete, while it is still in cache; {@code base} is the index of C's element 0 (the
     * row offsets minus base locate the residual). Null: none.
     */
    ShiftedGemm epilogue(Epilogue e, int base) {
        this.epilogue = e;
        this.epilogueBase = base;
        return this;
    }

    /** One tap at shift 0 (a plain GEMM over the rows), its weights at offset 0. */
    ShiftedGemm oneTap(int kin, int ncol, boolean accumulate) {
        tapOffsets(1)[0] = 0;
        packOffsets(1)[0] = 0;
        return k(1, kin, ncol, accumulate);
    }

    /**
     * Packs this pass's B into {@code dst[dstOff ..]}: B[e*kin + i, col] =
     * {@code src[srcOff + packOffsets[e] + i*iStride + col*colStride]}.
     */
    void packB(float[] src, int srcOff, int iStride, int colStride, float[] dst, int dstOff) {
        pack(taps, kin, packBuf, iStride, colStride, ncol, src, srcOff, dst, dstOff);
    }

    /**
     * Packs B into {@code dst[dstOff ..]} in the panel layout, where
     * B[e*kin + i, col] = {@code src[srcOff + eOff[e] + i*iStride + col*colStride]} for col < ncol.
     * Panels are packed in parallel (each thread writes its own panels).
     */
    static void pack(int taps, int kin, int[] eOff, int iStride, int colStride, int ncol,
                     float[] src, int srcOff, float[] dst, int dstOff) {
        int np = paddedCols(ncol);
        int kTotal = taps * kin;
        int grain = Math.max(1, MIN_PARALLEL_FLOATS / Math.max(1, kTotal * L));
        Engine.current().parallel().forRange(np / L, grain, (chunk, g0, g1) -> {
            for (int g = g0; g < g1; g++) {
                int col0 = g * L;
                int j0 = panelStart(col0, np), w = panelWidth(j0, np);
                int valid = Math.max(0, Math.min(L, ncol - col0));
                int o = dstOff + j0 * kTotal + (col0 - j0);
                for (int e = 0; e < taps; e++) {
                    for (int i = 0; i < kin; i++, o += w) {
                        int s = srcOff + eOff[e] + i * iStride + col0 * colStride;
                        if (colStride == 1) {
                            System.arraycopy(src, s, dst, o, valid);
                        } else {
                            for (int c = 0; c < valid; c++, s += colStride) dst[o + c] = src[s];
                        }
                        for (int c = valid; c < L; c++) dst[o + c] = 0f;
                    }
                }
            }
        });
    }

    /** Width of the panel starting at column j0: four vectors while they fit, then two, then one. */
    static int panelWidth(int j0, int np) {
        int rest = np - j0;
        return rest >= 4 * L ? 4 * L : rest >= 2 * L ? 2 * L : L;
    }

    /** First column of the panel holding column col. */
    static int panelStart(int col, int np) {
        int j0 = 0;
        while (j0 + panelWidth(j0, np) <= col) j0 += panelWidth(j0, np);
        return j0;
    }

    static int panelRows(int w) { return w == 4 * L ? MR4 : w == 2 * L ? MR2 : MR1; }

    /**
     * The whole pass on the engine's threads: split by rows, or, when there are fewer rows than
     * columns (a batch-1 layer deep in a network: few pixels, wide weights, so B outweighs A), by
     * column panels, so each thread streams only its share of B instead of all of it. Either
     * way every C element is one thread's k-ordered sum: the split never changes a result, so the
     * shares are cut into units a thread that is done takes over from one that is held up
     * ({@link Parallel#forUnits}); only the passes that sum k blocks in C (B past 4 MB) keep
     * static shares, whose rows must stay together.
     */
    void runParallel(float[] a, float[] b, int bo, float[] c, KernelWorkspace ws) {
        Parallel par = Engine.current().parallel();
        int m = rows(), np = paddedCols(ncol);
        ws.ensureChunks(par.threads());
        if (columnSplit(m, ncol, par.threads())) {
            // a few panels at a time over all the rows, so their B stays in L2 while the rows
            // stream past, instead of all of the thread's B streaming past each tile of rows
            // (at batch 1 B is the weights, megabytes, and A a few hundred kilobytes)
            int[] groups = panelGroups(np);
            par.forUnits(groups.length - 1, (slot, units) -> {
                for (int g; (g = units.next()) >= 0; ) run(a, b, bo, c, ws.tile(slot), 0, m, groups[g], groups[g + 1]);
            });
        } else if (kOuter(kTotal(), ncol)) {
            if (epilogue != null && epilogue.res() == c) {
                throw new IllegalStateException("a pass that sums k blocks in C cannot write over its residual");
            }
            // each thread's k blocks over all of its rows: a share's rows stay together
            par.forRange(m, MR_LCM, (ch, m0, m1) -> run(a, b, bo, c, ws.tile(ch), m0, m1, 0, np, true));
        } else {
            par.forRangeBalanced(m, TILE_ROWS, (slot, m0, m1) -> run(a, b, bo, c, ws.tile(slot), m0, m1, 0, np, false));
        }
    }

    /**
     * Column-split units: groups of adjacent panels whose packed B together stays within
     * {@link #B_GROUP_FLOATS} (at least one panel each); group g is columns [groups[g], groups[g+1]).
     */
    private int[] panelGroups(int np) {
        int count = 0;
        int[] starts = new int[panelCount(np) + 1];
        for (int j0 = 0, j1; j0 < np; j0 = j1) {
            starts[count++] = j0;
            j1 = j0 + panelWidth(j0, np);
            while (j1 < np && (long) (j1 - j0 + panelWidth(j1, np)) * kTotal() <= B_GROUP_FLOATS) j1 += panelWidth(j1, np);
        }
        starts[count] = np;
        return Arrays.copyOf(starts, count + 1);
    }

    /** Whether {@link #runParallel} splits {@code m} rows by column panels of {@code ncol} among {@code threads}. */
    static boolean columnSplit(int m, int ncol, int threads) {
        return m < ncol && panelCount(paddedCols(ncol)) >= threads;
    }

    /** Whether a row-split pass takes its k blocks outermost, summing them in C itself (B past L2). */
    static boolean kOuter(int kTotal, int ncol) {
        return (long) kTotal * paddedCols(ncol) >= K_OUTER_B_FLOATS;
    }

    /**
     * Whether a pass of {@code m} rows with an epilogue writes every output once, from scratch,
     * after its sums are complete, so that its residual may be the output array itself: all but
     * the row-split passes with k blocks outermost.
     */
    static boolean writesOutputOnce(int m, int kTotal, int ncol, int threads) {
        return columnSplit(m, ncol, threads) || !kOuter(kTotal, ncol);
    }

    /** Panels over np padded columns. */
    static int panelCount(int np) {
        int panels = 0;
        for (int j0 = 0; j0 < np; j0 += panelWidth(j0, np)) panels++;
        return panels;
    }

    /** First column of panel number {@code p} (np for p = the panel count). */
    static int panelColumn(int p, int np) {
        int j0 = 0;
        for (int i = 0; i < p && j0 < np; i++) j0 += panelWidth(j0, np);
        return j0;
    }

    /** Computes C rows [m0, m1) of this pass with packed B at {@code b[bo ..]}. */
    void run(float[] a, float[] b, int bo, float[] c, KernelWorkspace.Tile tile, int m0, int m1) {
        run(a, b, bo, c, tile, m0, m1, 0, paddedCols(ncol));
    }

    /** Computes C rows [m0, m1), columns of the panels in [jStart, jEnd) (panel boundaries). */
    void run(float[] a, float[] b, int bo, float[] c, KernelWorkspace.Tile tile, int m0, int m1, int jStart, int jEnd) {
        run(a, b, bo, c, tile, m0, m1, jStart, jEnd, false);
    }

    /**
     * As above; {@code kOuter}: each k block of B over all the tiles before the next block, for B
     * far larger than L2 (ResNet-50's 2048x512 1x1 layers), which tile by tile would come from
     * memory once per tile. Each C element is the same k-ordered sum either way.
     */
    void run(float[] a, float[] b, int bo, float[] c, KernelWorkspace.Tile tile, int m0, int m1, int jStart, int jEnd,
             boolean kOuter) {
        int kTotal = kTotal();
        boolean simd = epilogue != null && Simd.enabled();
        tile.ensureRows(TILE_ROWS + MR_LCM);
        if (kOuter) {
            for (int kb = 0; kb * kBlock < kTotal; kb++) {
                for (int t0 = m0; t0 < m1; t0 += TILE_ROWS) runKBlock(a, b, bo, c, tile, tileRows(tile, t0, m1), kb, jStart, jEnd);
            }
            for (int t0 = m0; t0 < m1; t0 += TILE_ROWS) applyEpilogue(c, tile.cr, c, tile.cr, tileRows(tile, t0, m1), jStart, jEnd, simd);
            return;
        }
        // With an epilogue the sums go to a tile-sized block of scratch, which stays in L1/L2, and the
        // epilogue writes C from it: the kernels' stores never wait on C's lines coming from memory
        // (a write to a line not in cache reads it first), and C is written once, so it may be the
        // epilogue's residual. (A pass adding into C sums there.)
        boolean scratch = epilogue != null && !accumulate;
        int sw = jEnd - jStart;
        float[] sums = scratch ? tile.scratchC(TILE_ROWS * sw) : c;
        int[] cr = tile.cr, yr = scratch ? tile.yr : cr;
        for (int t0 = m0; t0 < m1; t0 += TILE_ROWS) {
            int nr = tileRows(tile, t0, m1);
            if (scratch) {
                for (int r = 0; r < nr; r++) {
                    yr[r] = cr[r];
                    cr[r] = r * sw - jStart;
                }
            }
            for (int kb = 0; kb * kBlock < kTotal; kb++) runKBlock(a, b, bo, sums, tile, nr, kb, jStart, jEnd);
            applyEpilogue(sums, cr, c, yr, nr, jStart, jEnd, simd);
        }
    }

    /** The A and C offsets of the tile of rows from t0 (at most TILE_ROWS, to m1) into the tile's ar and cr; returns its row count. */
    private int tileRows(KernelWorkspace.Tile tile, int t0, int m1) {
        int[] ar = tile.ar, cr = tile.cr;
        int nr = Math.min(TILE_ROWS, m1 - t0), uv = uCount * vCount;
        for (int r = 0; r < nr; r++) {
            int m = t0 + r;
            int img = m / uv, rem = m - img * uv;
            int u = rem / vCount, v = rem - u * vCount;
            ar[r] = aConst + img * aImg + u * aU + v * aV;
            cr[r] = cConst + img * cImg + u * cU + v * cV;
        }
        for (int r = nr; r < nr + MR_LCM; r++) ar[r] = ar[nr - 1];
        return nr;
    }

    /** k block kb of the tile's nr rows (set by tileRows) over the panels in [jStart, jEnd). */
    private void runKBlock(float[] a, float[] b, int bo, float[] c, KernelWorkspace.Tile tile, int nr, int kb,
                           int jStart, int jEnd) {
        int np = paddedCols(ncol), kTotal = kTotal();
        boolean acc = accumulate || kb > 0;
        int k0 = kb * kBlock, k1 = Math.min(kTotal, k0 + kBlock);
        if (gather) {
            gatherRows(a, tile.ar, nr, k0, k1, tile);
            panels(tile.packed, tile.pr, kIdentity, true, nr, k0, k1, b, bo, c, tile.cr, jStart, jEnd, np, kTotal, acc, tile);
        } else {
            panels(a, tile.ar, kOff, denseK, nr, k0, k1, b, bo, c, tile.cr, jStart, jEnd, np, kTotal, acc, tile);
        }
    }

    /**
     * The epilogue (if any) on a tile's nr rows, columns [jStart, jEnd): row r's sums read from
     * {@code src[sr[r] + col]} (C itself, or the tile's scratch), written to {@code c[cr[r] + col]}.
     */
    private void applyEpilogue(float[] src, int[] sr, float[] c, int[] cr, int nr, int jStart, int jEnd, boolean simd) {
        if (epilogue == null) return;
        int c1 = Math.min(jEnd, ncol);
        if (jStart == 0 && c1 == ncol && cr[nr - 1] - cr[0] == (nr - 1) * ncol
                && sr[nr - 1] - sr[0] == (nr - 1) * ncol) {   // whole, adjacent rows on both sides: one call
            epilogue.applyRowsFrom(src, sr[0], c, cr[0], cr[0] - epilogueBase, nr, ncol, simd);
            return;
        }
        for (int r = 0; r < nr; r++) epilogue.applyRowFrom(src, sr[r], c, cr[r], cr[r] - epilogueBase, jStart, c1, simd);
    }

    /**
     * Copies A rows [0, nr) of the tile, k in [k0, k1), into the tile's dense block (row r at
     * {@code pr[r] + k}), in runs of consecutive offsets (a tap's channels, or a whole kernel row).
     */
    private void gatherRows(float[] a, int[] ar, int nr, int k0, int k1, KernelWorkspace.Tile tile) {
        int len = packable ? MicroKernel.KC : k1 - k0;
        tile.ensurePacked(nr * len);
        float[] p = tile.packed;
        int[] pr = tile.pr;
        for (int r = 0; r < nr; r++) {
            int base = r * len, row = ar[r];
            for (int k = k0, n; k < k1; k += n) {
                n = Math.min(kRun[k], k1 - k);
                System.arraycopy(a, row + kOff[k], p, base + k - k0, n);
            }
            pr[r] = base - k0;
        }
        for (int r = nr; r < nr + MR_LCM; r++) pr[r] = pr[nr - 1];
    }

    /** The tile's nr rows of A (row r at ar[r] + kOff[k]) times the panels in [jStart, jEnd), k in [k0, k1). */
    private void panels(float[] a, int[] ar, int[] kOff, boolean dense, int nr, int k0, int k1, float[] b, int bo,
                        float[] c, int[] cr, int jStart, int jEnd, int np, int kTotal, boolean acc,
                        KernelWorkspace.Tile tile) {
        for (int j0 = jStart, w; j0 < jEnd; j0 += w) {
            w = panelWidth(j0, np);
            int panel = bo + j0 * kTotal;
            int validCols = Math.min(w, ncol - j0);
            if (w == 4 * L && MicroKernel.MR4D != MicroKernel.MR4) {
                wide(a, ar, kOff, dense, nr, k0, k1, b, panel, c, cr, j0, validCols, acc, tile);
                continue;
            }
            int mr = panelRows(w);
            for (int rb = 0; rb < nr; rb += mr) {
                int validRows = Math.min(mr, nr - rb);
                if (validRows == mr && validCols == w) {
                    if (w == 4 * L) {
                        if (dense) MicroKernel.k3x4d(a, ar, rb, k0, k1, b, panel, c, cr, rb, j0, acc);
                        else MicroKernel.k3x4(a, ar, rb, kOff, k0, k1, b, panel, c, cr, rb, j0, acc);
                    } else if (w == 2 * L) {
                        if (dense) MicroKernel.k6x2d(a, ar, rb, k0, k1, b, panel, c, cr, rb, j0, acc);
                        else MicroKernel.k6x2(a, ar, rb, kOff, k0, k1, b, panel, c, cr, rb, j0, acc);
                    } else {
                        MicroKernel.k8x1(a, ar, rb, kOff, k0, k1, b, panel, c, cr, rb, j0, acc);
                    }
                } else {
                    edge(a, ar, kOff, rb, k0, k1, b, panel, c, cr, j0, w, validRows, validCols, acc, tile);
                }
            }
        }
    }

    /**
     * One 4L-wide panel in blocks of {@link MicroKernel#MR4D} rows (512 bits: 4), dense A rows or
     * rows through kOff; a block that sticks out of C (or into a partial panel) goes as MR4-row
     * blocks through the general path's edge handling.
     */
    private void wide(float[] a, int[] ar, int[] kOff, boolean dense, int nr, int k0, int k1, float[] b, int panel,
                      float[] c, int[] cr, int j0, int validCols, boolean acc, KernelWorkspace.Tile tile) {
        int w = 4 * L, mr = MicroKernel.MR4D, mr4 = MicroKernel.MR4;
        for (int rb = 0; rb < nr; rb += mr) {
            if (nr - rb >= mr && validCols == w) {
                if (dense) MicroKernel.k4d(a, ar, rb, k0, k1, b, panel, c, cr, rb, j0, acc);
                else MicroKernel.k4x4(a, ar, rb, kOff, k0, k1, b, panel, c, cr, rb, j0, acc);
                continue;
            }
            // the block's rows (to C's last) in MR4-row blocks; the last may be partial, and must
            // not reach into the next block's rows (MR4D is not a multiple of MR4)
            for (int sb = rb, end = Math.min(nr, rb + mr); sb < end; sb += mr4) {
                int validRows = Math.min(mr4, end - sb);
                if (validRows == mr4 && validCols == w) {
                    if (dense) MicroKernel.k3x4d(a, ar, sb, k0, k1, b, panel, c, cr, sb, j0, acc);
                    else MicroKernel.k3x4(a, ar, sb, kOff, k0, k1, b, panel, c, cr, sb, j0, acc);
                } else {
                    edge(a, ar, kOff, sb, k0, k1, b, panel, c, cr, j0, w, validRows, validCols, acc, tile);
                }
            }
        }
    }

    /** A register block that sticks out of C: compute into the tile's scratch, copy the valid part. */
    private void edge(float[] a, int[] ar, int[] kOff, int rb, int k0, int k1, float[] b, int panel,
                      float[] c, int[] cr, int j0, int w, int validRows, int validCols, boolean acc,
                      KernelWorkspace.Tile tile) {
        float[] tmp = tile.tmp;
        int[] tr = tile.tmpRows;
        int mr = panelRows(w);
        for (int r = 0; r < mr; r++) tr[r] = r * w;
        if (acc) {
            for (int r = 0; r < validRows; r++) {
                System.arraycopy(c, cr[rb + r] + j0, tmp, r * w, validCols);
            }
        }
        if (w == 4 * L) {
            MicroKernel.k3x4(a, ar, rb, kOff, k0, k1, b, panel, tmp, tr, 0, 0, acc);
        } else if (w == 2 * L) {
            MicroKernel.k6x2(a, ar, rb, kOff, k0, k1, b, panel, tmp, tr, 0, 0, acc);
        } else {
            MicroKernel.k8x1(a, ar, rb, kOff, k0, k1, b, panel, tmp, tr, 0, 0, acc);
        }
        for (int r = 0; r < validRows; r++) {
            System.arraycopy(tmp, r * w, c, cr[rb + r] + j0, validCols);
        }
    }
}
