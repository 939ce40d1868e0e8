package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.F;
import static org.jresnet.kernel.MicroKernel.L;

import jdk.incubator.vector.FloatVector;

/**
 * Winograd F(4x4, 3x3) (Lavin and Gray, 2016): 6x6 windows at stride 4, 36 GEMMs, 4x4 outputs;
 * 4x fewer multiplies than the direct convolution, 1.78x fewer than F(2x2, 3x3), for larger
 * transforms and float32 rounding a few times F(2x2)'s (the interpolation points 0, +-1, +-2).
 * Inference uses it: the weights are transformed once and cached.
 *
 * <pre>
 *   B^T = [[4,0,-5,0,1,0], [0,-4,-4,1,1,0], [0,4,-4,-1,1,0], [0,-2,-1,2,1,0], [0,2,-1,-2,1,0], [0,4,0,-5,0,1]]
 *   G   = [[1/4,0,0], [-1/6,-1/6,-1/6], [-1/6,1/6,-1/6], [1/24,1/12,1/6], [1/24,-1/12,1/6], [0,0,1]]
 *   A^T = [[1,1,1,1,1,0], [0,1,-1,2,-2,0], [0,1,1,4,4,0], [0,1,-1,8,-8,1]]
 * </pre>
 *
 * Each 2-D transform is two passes of the 1-D one through an L1 scratch (columns, then rows), each
 * 1-D step a method that loads and stores its own vectors (no vectors cross a call).
 */
final class WinogradF4 extends WinogradTransform {
    static final WinogradF4 INSTANCE = new WinogradF4();
    private static final int A = 6;

    private WinogradF4() { super(4, PackedWeightCache.WINOGRAD_F4); }

    @Override int scratchFloats() { return A * A * L; }

    /** T = B^T d by columns into v[tmp ..] ([6][6][L]), then V = T B by rows. */
    @Override void inputVector(float[] src, int p0, int rowStride, int pixel, float[] v, int o, int xiStride, int tmp) {
        for (int b = 0; b < A; b++) bt(src, p0 + b * pixel, rowStride, v, tmp + b * L, A * L);
        for (int a = 0; a < A; a++) bt(v, tmp + a * A * L, L, v, o + a * A * xiStride, xiStride);
    }

    /** r = B^T d for d_i = src[p + i*step] (i < 6), r_j to out[o + j*stride]. */
    private static void bt(float[] src, int p, int step, float[] out, int o, int stride) {
        FloatVector d0 = FloatVector.fromArray(F, src, p), d1 = FloatVector.fromArray(F, src, p + step);
        FloatVector d2 = FloatVector.fromArray(F, src, p + 2 * step), d3 = FloatVector.fromArray(F, src, p + 3 * step);
        FloatVector d4 = FloatVector.fromArray(F, src, p + 4 * step), d5 = FloatVector.fromArray(F, src, p + 5 * step);
        FloatVector four = FloatVector.broadcast(F, 4f), minus4 = FloatVector.broadcast(F, -4f);
        FloatVector minus5 = FloatVector.broadcast(F, -5f);
        FloatVector t1 = d2.fma(minus4, d4), t2 = d1.fma(minus4, d3);   // d4 - 4 d2, d3 - 4 d1
        FloatVector t3 = d4.sub(d2), t4 = d3.sub(d1).mul(2f);
        d0.fma(four, d2.fma(minus5, d4)).intoArray(out, o);
        t1.add(t2).intoArray(out, o + stride);
        t1.sub(t2).intoArray(out, o + 2 * stride);
        t3.add(t4).intoArray(out, o + 3 * stride);
        t3.sub(t4).intoArray(out, o + 4 * stride);
        d1.fma(four, d3.fma(minus5, d5)).intoArray(out, o + 5 * stride);
    }

    /** S = A^T M by columns into mm[tmp ..] ([4][6][L]), then Y = S A by the rows inside y. */
    @Override void outputVector(float[] mm, int o, int xiStride, float[] y, int q, int rowStride, int cout,
                                int rows, int cols, int tmp) {
        for (int b = 0; b < A; b++) at(mm, o + b * xiStride, A * xiStride, mm, tmp + b * L, A * L, 4);
        for (int a = 0; a < rows; a++) at(mm, tmp + a * A * L, L, y, q + a * rowStride, cout, cols);
    }

    /** r = A^T m for m_i = src[p + i*step] (i < 6), r_j to out[o + j*stride] for j < count. */
    private static void at(float[] src, int p, int step, float[] out, int o, int stride, int count) {
        FloatVector m0 = FloatVector.fromArray(F, src, p), m1 = FloatVector.fromArray(F, src, p + step);
        FloatVector m2 = FloatVector.fromArray(F, src, p + 2 * step), m3 = FloatVector.fromArray(F, src, p + 3 * step);
        FloatVector m4 = FloatVector.fromArray(F, src, p + 4 * step), m5 = FloatVector.fromArray(F, src, p + 5 * step);
        FloatVector s12 = m1.add(m2), d12 = m1.sub(m2), s34 = m3.add(m4), d34 = m3.sub(m4);
        m0.add(s12).add(s34).intoArray(out, o);
        if (count > 1) d34.fma(FloatVector.broadcast(F, 2f), d12).intoArray(out, o + stride);
        if (count > 2) s34.fma(FloatVector.broadcast(F, 4f), s12).intoArray(out, o + 2 * stride);
        if (count > 3) d34.fma(FloatVector.broadcast(F, 8f), d12).add(m5).intoArray(out, o + 3 * stride);
    }

    /** Gg by columns into g[9L ..] ([6][3][L]), then U = (Gg) G^T by rows. */
    @Override void weightTile(float[] g, float[] u, int o, int xiStride) {
        int s = 9 * L;
        for (int b = 0; b < 3; b++) gt(g, b * L, 3 * L, g, s + b * L, 3 * L);
        for (int a = 0; a < A; a++) gt(g, s + a * 3 * L, L, u, o + a * A * xiStride, xiStride);
    }

    /** r = G g for g_i = src[p + i*step] (i < 3), r_j to out[o + j*stride] (j < 6). */
    private static void gt(float[] src, int p, int step, float[] out, int o, int stride) {
        FloatVector g0 = FloatVector.fromArray(F, src, p), g1 = FloatVector.fromArray(F, src, p + step);
        FloatVector g2 = FloatVector.fromArray(F, src, p + 2 * step);
        FloatVector s02 = g0.add(g2);
        FloatVector e = g0.mul(1f / 24).add(g2.mul(1f / 6)), odd = g1.mul(1f / 12);
        g0.mul(0.25f).intoArray(out, o);
        s02.add(g1).mul(-1f / 6).intoArray(out, o + stride);
        s02.sub(g1).mul(-1f / 6).intoArray(out, o + 2 * stride);
        e.add(odd).intoArray(out, o + 3 * stride);
        e.sub(odd).intoArray(out, o + 4 * stride);
        g2.intoArray(out, o + 5 * stride);
    }
}
