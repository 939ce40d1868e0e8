package org.jresnet.kernel;

import java.util.Arrays;
import org.jresnet.engine.Engine;

/**
 * backwardData for fewer input channels than one vector (the RGB stem), where a GEMM over input
 * channels would leave most of every vector empty: per output row, col[ox, (ci, tap)] =
 * dy[ox, :] · W[:, ci, tap] as one GEMM with wide columns, then each column is added into the dx
 * pixel its tap reached (col2im). Threads own whole images, so no two write one dx pixel.
 */
final class Col2ImConv {
    private Col2ImConv() {}

    /** dx = conv^T(dy, w), dx overwritten. */
    static void backwardData(ConvShape s, float[] dy, int dyo, float[] w, int wo, float[] dx, int dxo,
                             KernelWorkspace ws) {
        int st = s.stride(), p = s.pad(), kh = s.kh(), kw = s.kw(), taps = kh * kw;
        int h = s.h(), wd = s.w(), oh = s.oh(), ow = s.ow(), cin = s.cin(), cout = s.cout();
        int kCols = cin * taps;
        ShiftedGemm g = ShiftedGemm.pass(ws, 0)
                .rows(s.n(), oh, ow)
                .a(dyo, oh * ow * cout, ow * cout, cout)
                .c(0, 0, 0, kCols)
                .oneTap(cout, kCols, false);
        float[] b = ws.floats(KernelWorkspace.PACKED_B, g.packedSize());
        // B[co, ci*taps + tap] = w[co, ci, tap]: each row of w is already a row of B
        g.packB(w, wo, kCols, 1, b, 0);
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
}
