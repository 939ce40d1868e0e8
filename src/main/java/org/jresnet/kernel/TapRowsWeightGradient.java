package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.L;
import static org.jresnet.kernel.MicroKernel.MR_LCM;

import java.util.Arrays;
import org.jresnet.kernel.Padding.PaddedInput;

/**
 * Weight gradient with (tap, input channel) as register rows and output channels as vector
 * columns: P[(tap, ci), co] += x[pixel + shift(tap), ci] * dy[pixel, co], summed over pixels.
 * The general path, for any channel counts (the 3-channel stem); dy's columns are padded to
 * whole vectors when cout is not a multiple of L. Threads and reduction: {@link PixelPartials}.
 */
final class TapRowsWeightGradient {
    private TapRowsWeightGradient() {}

    /** dw[co,ci,ky,kx] += sum_{n,oy,ox} x[n, oy*s+ky-p, ox*s+kx-p, ci] * dy[n,oy,ox,co]. */
    static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo,
                                KernelWorkspace ws) {
        PaddedInput in = Padding.input(s, x, xo, ws);
        int cin = s.cin(), cout = s.cout();
        int kTotal = s.kh() * s.kw() * cin;
        int kPad = (kTotal + MR_LCM - 1) / MR_LCM * MR_LCM;   // whole register blocks of rows
        int[] kOff = ws.ints(KernelWorkspace.PADDED, kPad);
        for (int ky = 0, k = 0; ky < s.kh(); ky++) {
            for (int kx = 0; kx < s.kw(); kx++) {
                for (int ci = 0; ci < cin; ci++, k++) kOff[k] = in.aConst() + (ky * in.wp() + kx) * cin + ci;
            }
        }
        for (int k = kTotal; k < kPad; k++) kOff[k] = kOff[kTotal - 1];
        int np = ShiftedGemm.paddedCols(cout);
        float[] d;
        int dOff, ldd;
        int pixels = s.n() * s.oh() * s.ow();
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
        float[] a = in.a();
        // P[(tap, ci)][co]: kPad rows of np
        int used = PixelPartials.sweep(s, in, kPad * np, ws, (part, pix, m0, m1) -> {
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
        });
        PixelPartials.reduce(s, ws, used, 1, np, L, dw, dwo);
    }
}
