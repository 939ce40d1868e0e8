package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.F;
import static org.jresnet.kernel.MicroKernel.L;

import jdk.incubator.vector.FloatVector;

/**
 * Winograd F(2x2, 3x3): 4x4 windows at stride 2, 16 GEMMs, 2x2 outputs; 2.25x fewer multiplies
 * than the direct convolution. Training's forward and input gradient, and its weight gradient
 * ({@link Winograd3x3WeightGradient}) use this variant.
 *
 * <pre>
 *   B^T = [[1,0,-1,0], [0,1,1,0], [0,-1,1,0], [0,1,0,-1]]
 *   G   = [[1,0,0], [1/2,1/2,1/2], [1/2,-1/2,1/2], [0,0,1]]
 *   A^T = [[1,1,1,0], [0,1,-1,-1]]
 * </pre>
 */
final class WinogradF2 extends WinogradTransform {
    static final WinogradF2 INSTANCE = new WinogradF2();

    private WinogradF2() { super(2, PackedWeightCache.WINOGRAD); }

    @Override int scratchFloats() { return 0; }

    @Override void weightTile(float[] g, float[] u, int o, int xiStride) {
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
     * One vector of channels of the input transform, in two halves; B^T = [[1,0,-1,0], [0,1,1,0],
     * [0,-1,1,0], [0,1,0,-1]]. No loop of its own (see {@link WinogradTransform}). Two halves, not
     * one method: the whole transform (32 loads, 16 stores) sat at C2's node budget, and in some JVMs
     * its last stores were left unintrinsified, boxing vectors on the heap (a 10% slower ResNet-56
     * step, seen in JFR); each half compiles well inside the budget.
     */
    @Override void inputVector(float[] src, int p0, int rowStride, int cin, float[] v, int o, int xiStride, int tmp) {
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

    @Override void outputVector(float[] m, int o, int xiStride, float[] y, int q, int rowStride, int cout,
                             int rows, int cols, int tmp) {
        boolean row1 = rows > 1, col1 = cols > 1;
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
