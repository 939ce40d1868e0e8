package org.jresnet.kernel;

import java.util.Arrays;
import org.jresnet.engine.Engine;

/** Zero padding of NHWC activations for the algorithms that read a convolution's input through shifts. */
final class Padding {
    private Padding() {}

    /** The input as the shifted GEMMs read it: a zero-padded copy, or x itself when pad is 0. */
    record PaddedInput(float[] a, int aConst, int hp, int wp) {}

    /** x of {@code s} padded into the workspace's {@link KernelWorkspace#PADDED} (x itself when pad is 0). */
    static PaddedInput input(ConvShape s, float[] x, int xo, KernelWorkspace ws) {
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
        int grain = Math.max(1, ShiftedGemm.MIN_PARALLEL_FLOATS / Math.max(1, wp * c));
        Engine.current().parallel().forRangeBalanced(n * hp, grain, (chunk, r0, r1) -> {
            for (int r = r0; r < r1; r++) padRow(src, so, r / hp, r % hp, h, w, c, top, left, wp, dst, r * wp * c);
        });
    }

    /** Image {@code img} of {@link #pad}'s source alone, into dst[dOff ..] ([hp, wp, c]), on the calling thread. */
    static void padImage(float[] src, int so, int img, int h, int w, int c, int pad, int hp, int wp, float[] dst, int dOff) {
        for (int py = 0; py < hp; py++) padRow(src, so, img, py, h, w, c, pad, pad, wp, dst, dOff + py * wp * c);
    }

    /** Padded row py of image img, to dst[d ..]: the source row py - top shifted by left, zeros around it. */
    private static void padRow(float[] src, int so, int img, int py, int h, int w, int c, int top, int left, int wp,
                               float[] dst, int d) {
        int pxa = Math.max(0, Math.min(wp, left)), pxb = Math.max(pxa, Math.min(wp, left + w));
        int iy = py - top;
        if (iy < 0 || iy >= h || pxa == pxb) {
            Arrays.fill(dst, d, d + wp * c, 0f);
            return;
        }
        Arrays.fill(dst, d, d + pxa * c, 0f);
        System.arraycopy(src, so + ((img * h + iy) * w + pxa - left) * c, dst, d + pxa * c, (pxb - pxa) * c);
        Arrays.fill(dst, d + pxb * c, d + wp * c, 0f);
    }
}
