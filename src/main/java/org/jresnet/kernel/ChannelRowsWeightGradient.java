package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.L;

import org.jresnet.kernel.Padding.PaddedInput;

/**
 * Weight gradient with output channels as register rows and input channels as vector columns:
 * P[co, (tap, ci)] += dy[pixel, co] * x[pixel + shift(tap), ci], summed over pixels. The dy
 * values of one pixel's register rows are adjacent (one range check, broadcasts straight from
 * memory) and every column vector is L contiguous input channels, so this runs near the FMA
 * peak. Needs {@link #applies}: cin a multiple of L and cout of 8 (every ResNet layer but the
 * 3-channel stem). Threads and reduction: {@link PixelPartials}.
 */
final class ChannelRowsWeightGradient {
    private ChannelRowsWeightGradient() {}

    static boolean applies(ConvShape s) { return s.cin() % L == 0 && s.cout() % MicroKernel.MR1 == 0; }

    /** dw[co,ci,ky,kx] += sum_{n,oy,ox} x[n, oy*s+ky-p, ox*s+kx-p, ci] * dy[n,oy,ox,co]. */
    static void backwardWeights(ConvShape s, float[] x, int xo, float[] dy, int dyo, float[] dw, int dwo,
                                KernelWorkspace ws) {
        PaddedInput in = Padding.input(s, x, xo, ws);
        int cin = s.cin(), cout = s.cout();
        int kTotal = s.kh() * s.kw() * cin, rowVecs = s.kw() * cin / L;
        // one kernel row's taps are adjacent in the padded input: kw * cin contiguous floats
        int[] rowOff = ws.ints(KernelWorkspace.PADDED, s.kh());
        for (int ky = 0; ky < s.kh(); ky++) rowOff[ky] = in.aConst() + ky * in.wp() * cin;
        float[] a = in.a();
        // one input and one output vector at stride 1 (CIFAR's first stage): wt8x3L's pixel runs
        int ow = s.ow();
        boolean runs = MicroKernel.WIDE_REGISTERS && cin == L && cout == L && s.stride() == 1;
        // P[co][(tap, ci)]: rows of kTotal
        int used = PixelPartials.sweep(s, in, cout * kTotal, ws, (part, pix, m0, m1) -> {
            for (int ky = 0; ky < s.kh(); ky++) {
                int g = 0, pc = ky * rowVecs * L;
                for (; g + 4 <= rowVecs; g += 4) {
                    for (int co = 0; co < cout; co += 4) {
                        MicroKernel.wt4x4L(a, pix, m0, m1, rowOff[ky] + g * L, dy, dyo, cout, co,
                                part, co * kTotal + pc + g * L, kTotal);
                    }
                }
                int rest = rowVecs - g, xr = rowOff[ky] + g * L, po = pc + g * L;
                if (rest == 3 && runs) {
                    // output rows are runs of pixels L floats apart in x and in dy
                    for (int m = m0; m < m1; m += ow) {
                        for (int co = 0; co < cout; co += MicroKernel.MR1) {
                            MicroKernel.wt8x3L(a, pix[m - m0] + xr, dy, dyo + m * cout + co, ow, part, co * kTotal + po, kTotal);
                        }
                    }
                } else if (rest == 3) {
                    for (int co = 0; co < cout; co += 4) {
                        MicroKernel.wt4x3L(a, pix, m0, m1, xr, dy, dyo, cout, co, part, co * kTotal + po, kTotal);
                    }
                } else if (rest == 2) {
                    for (int co = 0; co < cout; co += MicroKernel.MR1) {
                        MicroKernel.wt8x2(a, pix, m0, m1, xr, xr + L, dy, dyo, cout, co, part, co * kTotal + po, kTotal);
                    }
                } else if (rest == 1) {
                    for (int co = 0; co < cout; co += MicroKernel.MR1) {
                        MicroKernel.wt8x1(a, pix, m0, m1, xr, dy, dyo, cout, co, part, co * kTotal + po, kTotal);
                    }
                }
            }
        });
        PixelPartials.reduce(s, ws, used, kTotal, 1, 1, dw, dwo);
    }
}
