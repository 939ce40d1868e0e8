package org.jresnet.kernel;

import java.util.Arrays;
import org.jresnet.engine.Engine;
import org.jresnet.kernel.Padding.PaddedInput;

/**
 * The thread split of the direct weight-gradient algorithms ({@link ChannelRowsWeightGradient},
 * {@link TapRowsWeightGradient}): dW is a sum over output pixels, so each thread chunk sums its
 * share of the output rows into a partial of its own, tile by tile, and the partials are then
 * added in chunk order. The same thread count therefore gives bit-identical results.
 */
final class PixelPartials {
    /**
     * Floats of x per tile, and bounds on its pixels: a kernel call sweeps the tile's pixels for
     * one block of dW, and the next block sweeps the same x again, which should still be in L1/L2.
     * For a 16-channel CIFAR layer a tile of 4 output rows (128 pixels: 6 padded input rows of
     * 34 x 16 floats = 13 KB, and 8 KB of dy) stays in the 48 KB L1 beside the 9 KB partial; 8
     * rows (256 pixels) did not, and ran ResNet-20 training 3-5% slower. Each tile also sweeps
     * the whole partial once, so tiles are not made smaller still. Measured: docs/benchmark.md,
     * "Kernel tuning".
     */
    private static final int TILE_FLOATS = 256 * 1024;
    private static final int TILE_MIN_PIXELS = 64, TILE_MAX_PIXELS = 128;

    /** Adds the pixels [m0, m1) of one tile, whose input rows start at {@code pix[0 .. m1-m0)}, into {@code part}. */
    interface TileKernel {
        void run(float[] part, int[] pix, int m0, int m1);
    }

    private PixelPartials() {}

    /**
     * Splits the output rows of {@code s} over the engine's threads; each chunk zeroes its own
     * partial of {@code partialSize} floats ({@link KernelWorkspace#partial}) and runs
     * {@code kernel} on tiles of its pixels (offsets into the padded input {@code in}). Returns
     * the number of partials to reduce.
     */
    static int sweep(ConvShape s, PaddedInput in, int partialSize, KernelWorkspace ws, TileKernel kernel) {
        int oh = s.oh(), ow = s.ow(), cin = s.cin(), st = s.stride();
        int aImg = in.hp() * in.wp() * cin, aU = st * in.wp() * cin, aV = st * cin;
        int tilePixels = Math.max(TILE_MIN_PIXELS, Math.min(TILE_MAX_PIXELS, TILE_FLOATS / cin));
        int rowsPerTile = Math.max(1, tilePixels / ow);
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
                kernel.run(part, pix, t0 * ow, t1 * ow);
            }
        });
        return ws.usedPartials();
    }

    /**
     * dw[co, ci, tap] += the sum over the {@code used} partials, in chunk order, of element
     * {@code co*coStride + (tap*cin + ci)*kStride}; in parallel over blocks of {@code block}
     * output channels (a block of L channels when they run along a partial's rows: each row read
     * is then one cache line).
     */
    static void reduce(ConvShape s, KernelWorkspace ws, int used, int coStride, int kStride, int block,
                       float[] dw, int dwo) {
        int cin = s.cin(), cout = s.cout(), taps = s.kh() * s.kw(), kTotal = taps * cin;
        float[][] parts = ws.partials;
        int blocks = (cout + block - 1) / block;
        int grain = Math.max(1, ShiftedGemm.MIN_PARALLEL_FLOATS / Math.max(1, kTotal * block * used));
        Engine.current().parallel().forRange(blocks, grain, (c, b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int c0 = blk * block, c1 = Math.min(cout, c0 + block);
                for (int ci = 0; ci < cin; ci++) {
                    for (int e = 0; e < taps; e++) {
                        int k = (e * cin + ci) * kStride;
                        for (int co = c0; co < c1; co++) {
                            int idx = co * coStride + k;
                            float sum = 0f;
                            for (int t = 0; t < used; t++) sum += parts[t][idx];
                            dw[dwo + (co * cin + ci) * taps + e] += sum;
                        }
                    }
                }
            }
        });
    }
}
