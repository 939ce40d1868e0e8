package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.L;

import org.jresnet.engine.Engine;
import org.jresnet.engine.Parallel;
import org.jresnet.kernel.Padding.PaddedInput;

/**
 * Direct convolution along output rows, for stride-1, 3-wide kernels with L, 2L or a multiple
 * of 4L output channels: blocks of adjacent output pixels ({@link #ROW_BLOCK}, or
 * {@link #ROW_BLOCK_WIDE} for 4L-channel panels), each input value broadcast once for its three
 * kx taps. A broadcast costs a vector-unit slot, so fewer broadcasts per FMA is the whole game;
 * with one or two vectors of channels a GEMM step is one broadcast per one or two FMAs.
 *
 * <p>backwardData at stride 1 is the forward of dy with the flipped, transposed kernel.
 */
final class RowDirectConv {
    /** Output pixels per block (adjacent in one output row): 8 for L or 2L channels, 4 for 4L panels. */
    private static final int ROW_BLOCK = 8, ROW_BLOCK_WIDE = 4;
    /** Blocks a thread keeps in scratch for one epilogue call: 64 pixels, 4 KB at 16 channels. */
    private static final int EPILOGUE_BLOCKS = 8;

    /** The fewest images a thread needs for units of whole images. */
    private static final int MIN_IMAGES_PER_THREAD = 4;

    private RowDirectConv() {}

    /** Whether the kernels cover an output row of width {@code ow} with {@code ncol} channels. */
    static boolean covers(int ow, int ncol) {
        if (ncol == L || ncol == 2 * L) return ow % ROW_BLOCK == 0;
        return ncol % (4 * L) == 0 && ow % ROW_BLOCK_WIDE == 0;
    }

    /** Whether {@code s} can run forward this way: stride 1, 3 wide, and {@link #covers}. */
    static boolean appliesForward(ConvShape s) {
        return s.stride() == 1 && s.kw() == 3 && covers(s.ow(), s.cout());
    }

    /** The flipped forward that is {@code s}'s input gradient, or null when there is none (not stride 1, 3x3, pad at most 2). */
    static ConvShape flipped(ConvShape s) {
        boolean flip = s.stride() == 1 && s.kw() == 3 && s.kh() == s.kw() && s.pad() <= s.kh() - 1;
        return flip ? new ConvShape(s.n(), s.oh(), s.ow(), s.cout(), s.cin(), s.kh(), s.kw(), 1, s.kh() - 1 - s.pad()) : null;
    }

    /**
     * y = conv(x, w), y overwritten; packed weights from {@code cache} when not null; then
     * {@code epilogue} (null: none) on each block of pixels just stored, while it is in L1 (a pass
     * of its own over y cost ResNet-20's inference 15% of its time). Needs {@link #appliesForward}.
     */
    static void forward(ConvShape s, float[] x, int xo, float[] w, int wo, float[] y, int yo,
                        KernelWorkspace ws, PackedWeightCache cache, Epilogue epilogue) {
        // A padded input is padded one image at a time by the thread that reads it, into its own
        // scratch, just before that image's rows: the copy stays in L2 instead of a batch-sized
        // buffer going out to memory and coming back (the padding was 8% of ResNet-20's inference
        // at batch 256; in-JVM A/B on Zen 4: 114.5 -> 103.6 and 118.0 -> 111.6 ms, training
        // within noise: ResNet-20 b128 212 -> 205 ms, ResNet-56 639 -> 650 and 633 -> 622 ms).
        boolean perImage = s.pad() > 0;
        PaddedInput in = perImage ? null : Padding.input(s, x, xo, ws);
        int oh = s.oh(), ow = s.ow(), kh = s.kh(), cin = s.cin(), cout = s.cout(), taps = kh * 3;
        int hp = oh - 1 + kh, wp = ow - 1 + 3;   // the input's rows and columns as read, padded or not (stride 1)
        int kk = kh * cin;
        ShiftedGemm g = ShiftedGemm.pass(ws, 0);   // for its offset arrays only
        int[] kOff = g.tapOffsets(kk);
        int[] eOff = g.packOffsets(kk);
        for (int ky = 0, k = 0; ky < kh; ky++) {
            for (int ci = 0; ci < cin; ci++, k++) {
                kOff[k] = ky * wp * cin + ci;
                eOff[k] = ci * taps + ky * 3;
            }
        }
        // B[((ky, ci), kx), co] = w[co, ci, ky, kx]
        float[] b = PackedWeightCache.panels(cache, PackedWeightCache.ROW_DIRECT, ShiftedGemm.packedSize(kk * 3, cout), ws,
                dst -> ShiftedGemm.pack(kk, 3, eOff, 1, cin * taps, cout, w, wo, dst, 0));
        boolean wide = cout % (4 * L) == 0;
        int block = wide ? ROW_BLOCK_WIDE : ROW_BLOCK;
        int blocksPerRow = ow / block;
        int panels = wide ? cout / (4 * L) : 1;
        int aImg = hp * wp * cin, aU = wp * cin;
        boolean two = cout == 2 * L;
        boolean simd = epilogue != null && Simd.enabled();
        Engine engine = Engine.current();
        ws.ensureChunks(engine.threads());
        Parallel.RangeBody rows = (c, b0, b1) -> {
            // With an epilogue the kernels store the block into L1 scratch and the epilogue writes
            // y from it: reading the block back from y made the thread wait for y's lines to come
            // from memory (a store to a line not in cache fetches it first), ~18% of a 16-channel
            // CIFAR layer at batch 256 on Zen 4; stores nobody reads back wait for nothing.
            // Blocks follow each other in y (rows of whole blocks), so the epilogue takes
            // EPILOGUE_BLOCKS of them at a time: one call a block of 8 pixels costs more than the
            // work at 16 channels.
            float[] dst = epilogue == null ? y : ws.tile(c).scratchC(EPILOGUE_BLOCKS * block * cout);
            float[] a = perImage ? ws.partial(c, aImg) : in.a();
            int aConst = perImage ? 0 : in.aConst(), padded = -1;   // the image in a (perImage)
            int pending = b0;   // blocks in scratch, not yet through the epilogue: [pending, blk)
            for (int blk = b0; blk < b1; blk++) {
                int row = blk / blocksPerRow, v0 = (blk - row * blocksPerRow) * block;
                int img = row / oh, u = row - img * oh;
                if (perImage && img != padded) {
                    Padding.padImage(x, xo, img, s.h(), s.w(), cin, s.pad(), hp, wp, a, 0);
                    padded = img;
                }
                int base = aConst + (perImage ? 0 : img * aImg) + u * aU + v0 * cin;
                int out = yo + (row * ow + v0) * cout;
                int o = epilogue == null ? out : (blk - pending) * block * cout;
                if (wide) {
                    for (int j = 0; j < panels; j++) {
                        MicroKernel.rd4x4(a, base, cin, kOff, kk, b, j * 4 * L * kk * 3, dst, o + j * 4 * L, cout);
                    }
                } else if (two) {
                    MicroKernel.rd8x2(a, base, cin, kOff, kk, b, dst, o, cout);
                } else if (cin == L) {
                    MicroKernel.rd8x1L(a, base, kOff, kk, b, dst, o);
                } else {
                    MicroKernel.rd8x1(a, base, cin, kOff, kk, b, dst, o, cout);
                }
                if (epilogue != null && (blk + 1 - pending == EPILOGUE_BLOCKS || blk + 1 == b1)) {
                    int from = yo + pending * block * cout;
                    epilogue.applyRowsFrom(dst, 0, y, from, from - yo, (blk + 1 - pending) * block, cout, simd);
                    pending = blk + 1;
                }
            }
        };
        // Whole images as units (each thread pads an image once, as it reaches it), taken over by
        // the other thread when one is held up; too few images to go round, static halves
        int total = s.n() * oh * blocksPerRow;
        if (s.n() >= engine.threads() * MIN_IMAGES_PER_THREAD) {
            engine.parallel().forRangeBalanced(total, oh * blocksPerRow, rows);
        } else {
            engine.parallel().forRange(total, rows);
        }
    }

    /**
     * dx = conv^T(dy, w), dx overwritten, as the forward of dy with the flipped, transposed kernel
     * ({@link #flipped}{@code (s)}, which must {@link #appliesForward}).
     */
    static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo,
                             KernelWorkspace ws) {
        int kh = s.kh(), kw = s.kw(), cin = s.cin(), cout = s.cout();
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
        forward(flipped(s), dy, dyo, wf, 0, dx, dxo, ws, null, null);
    }
}
