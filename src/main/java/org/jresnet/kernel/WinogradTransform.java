package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.F;
import static org.jresnet.kernel.MicroKernel.L;

import jdk.incubator.vector.FloatVector;

import org.jresnet.engine.Engine;

/**
 * The transforms of one Winograd variant F(m x m, 3x3), what {@link Winograd3x3}'s forward needs:
 * a window of alpha x alpha inputs (alpha = m + 2) at stride m becomes alpha^2 values V (one GEMM
 * each), the weights alpha^2 values U, and alpha^2 GEMM results M give m x m outputs. Channels are
 * the vector lanes (NHWC), so every transform is vector adds and multiplies by constants.
 *
 * <p>Each transform works on one vector of channels in a method of its own: C2 guards a loop over
 * the channels with range-check predicates for every access, and a whole 2-D transform in one
 * method outgrows its node budget (vectors then get boxed on the heap). {@code tmp} is a scratch
 * of {@link #scratchFloats} floats in the same array for the two passes of the larger variant.
 */
abstract class WinogradTransform {
    /** Outputs per tile side, input window side (m + 2), GEMMs (alpha^2). */
    final int m, alpha, xi;
    /** The {@link PackedWeightCache} layout of this variant's transformed weights. */
    final int layout;

    WinogradTransform(int m, int layout) {
        this.m = m;
        this.alpha = m + 2;
        this.xi = alpha * alpha;
        this.layout = layout;
    }

    /** Floats of scratch the transforms use beside their input and output. */
    abstract int scratchFloats();

    /**
     * V = B^T d B of the window whose corner is input (iy0, ix0) into v[vo + xi*xiStride + c]. A
     * window reaching into the padding is first copied, zero-filled, to {@code v[win ..]} ([alpha][alpha][cin]).
     */
    final void inputTile(float[] x, int xo, int h, int wd, int cin, int img, int iy0, int ix0,
                         float[] v, int vo, int xiStride, int win, int tmp) {
        if (iy0 >= 0 && ix0 >= 0 && iy0 + alpha <= h && ix0 + alpha <= wd) {
            int base = xo + ((img * h + iy0) * wd + ix0) * cin;
            for (int c = 0; c < cin; c += L) inputVector(x, base + c, wd * cin, cin, v, vo + c, xiStride, tmp);
            return;
        }
        copyWindow(x, xo, h, wd, cin, img, iy0, ix0, alpha, v, win);
        for (int c = 0; c < cin; c += L) inputVector(v, win + c, alpha * cin, cin, v, vo + c, xiStride, tmp);
    }

    /**
     * Copies the alpha x alpha window at input (iy0, ix0) of image img to v[win + (a*alpha + b)*cin ..],
     * zeros where it lies in the padding. Vector copies: a System.arraycopy call per pixel costs
     * more than the transform itself.
     */
    private static void copyWindow(float[] x, int xo, int h, int wd, int cin, int img, int iy0, int ix0, int alpha,
                           float[] v, int win) {
        FloatVector zero = FloatVector.zero(F);
        for (int a = 0; a < alpha; a++) {
            for (int b = 0; b < alpha; b++) {
                int iy = iy0 + a, ix = ix0 + b, d = win + (a * alpha + b) * cin;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                    for (int c = 0; c < cin; c += L) zero.intoArray(v, d + c);
                } else {
                    int src = xo + ((img * h + iy) * wd + ix) * cin;
                    for (int c = 0; c < cin; c += L) FloatVector.fromArray(F, x, src + c).intoArray(v, d + c);
                }
            }
        }
    }

    /** One vector of channels of the input transform: d = src[p0 + a*rowStride + b*pixel] (a, b < alpha). */
    abstract void inputVector(float[] src, int p0, int rowStride, int pixel, float[] v, int o, int xiStride, int tmp);

    /**
     * Y = A^T M A for m[mo + xi*xiStride + c] (c < width) into y[out + a*rowStride + b*cout + c]
     * for the rows x cols outputs inside y (a < rows, b < cols).
     */
    final void outputTile(float[] mm, int mo, int xiStride, int width, float[] y, int out, int rowStride, int cout,
                          int rows, int cols, int tmp) {
        for (int c = 0; c < width; c += L) outputVector(mm, mo + c, xiStride, y, out + c, rowStride, cout, rows, cols, tmp);
    }

    /** One vector of channels of {@link #outputTile}; scratch at mm[tmp ..]. */
    abstract void outputVector(float[] mm, int o, int xiStride, float[] y, int q, int rowStride, int cout,
                               int rows, int cols, int tmp);

    /**
     * U = G g G^T for g = w[co, ci] (3x3), stored as GEMM B panels:
     * {@code u[xi*cin*cout + j0*cin + ci*pw + co - j0]} for co in the panel [j0, j0+pw).
     * {@code flipped}: the weight is w'[co,ci,ky,kx] = w[ci,co,2-ky,2-kx] (the input gradient's).
     */
    final void transformWeights(int cin, int cout, float[] w, int wo, boolean flipped, float[] u, KernelWorkspace ws) {
        int groups = cout / L;
        int grain = Math.max(1, ShiftedGemm.MIN_PARALLEL_FLOATS / (xi * cin * L));
        Engine.current().parallel().forRange(groups, grain, (c, g0, g1) -> {
            float[] g = ws.tile(c).tmp;   // [9][L] gathered taps of L output channels, then scratch
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

    /** One (ci, L output channels) weight transform: g[9][L] -> u[o + xi*xiStride ..]; g[9L ..] is scratch. */
    abstract void weightTile(float[] g, float[] u, int o, int xiStride);
}
