package org.jresnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked GEMM micro-kernels: a block of C lives in vector registers while the k loop
 * broadcasts one A value per row and loads one or two B vectors, then fused-multiply-adds.
 *
 * <p>Two shapes, chosen by the width of the B panel: 6 rows x 2 vectors (12 accumulators) for
 * wide panels and 8 rows x 1 vector (8 accumulators, enough to cover the FMA latency of two
 * units) for panels of one vector, e.g. the 16-channel stage of CIFAR ResNets.
 *
 * <p>"Shifted" kernels ({@code k6x2}, {@code k8x1}) read A rows through per-row base offsets plus
 * per-tap offsets, so a convolution's input is read in place as an implicit im2col: row r of A
 * is {@code a[ar[r] + aOff[e] + i]} for tap e and channel i. B is packed k-major,
 * {@code b[bo + (e*kin + i)*W + 0..W)}. C rows are {@code c[cr[r] + cc + 0..W)}.
 *
 * <p>Weight-gradient kernels ({@code w6x2}, {@code w8x1}) compute C[k, :] += sum over pixels of
 * x[pixel + kOff[k]] * dy[pixel, :] with the pixels of whole output rows as the reduction.
 *
 * <p>Kept small and monomorphic so C2 keeps every accumulator in a register.
 */
final class MicroKernel {
    static final VectorSpecies<Float> F = Simd.F;
    static final int L = F.length();
    /** Rows of the two-vector kernel. */
    static final int MR2 = 6;
    /** Rows of the one-vector kernel. */
    static final int MR1 = 8;
    /** A multiple of both row counts: tiles and thread chunks are cut on it. */
    static final int MR_LCM = 24;

    private MicroKernel() {}

    /** C[6, 2L] (+)= A[6, (e,i)] * B[(e,i), 2L] over taps [e0,e1) and channels [i0,i1). */
    static void k6x2(float[] a, int[] ar, int ri, int[] aOff, int e0, int e1, int i0, int i1, int kin,
                     float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        final int w = 2 * L;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        int o0 = cr[ci] + cc, o1 = cr[ci + 1] + cc, o2 = cr[ci + 2] + cc;
        int o3 = cr[ci + 3] + cc, o4 = cr[ci + 4] + cc, o5 = cr[ci + 5] + cc;
        if (acc) {
            c00 = FloatVector.fromArray(F, c, o0); c01 = FloatVector.fromArray(F, c, o0 + L);
            c10 = FloatVector.fromArray(F, c, o1); c11 = FloatVector.fromArray(F, c, o1 + L);
            c20 = FloatVector.fromArray(F, c, o2); c21 = FloatVector.fromArray(F, c, o2 + L);
            c30 = FloatVector.fromArray(F, c, o3); c31 = FloatVector.fromArray(F, c, o3 + L);
            c40 = FloatVector.fromArray(F, c, o4); c41 = FloatVector.fromArray(F, c, o4 + L);
            c50 = FloatVector.fromArray(F, c, o5); c51 = FloatVector.fromArray(F, c, o5 + L);
        } else {
            FloatVector z = FloatVector.zero(F);
            c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z;
            c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        }
        final int r0 = ar[ri], r1 = ar[ri + 1], r2 = ar[ri + 2], r3 = ar[ri + 3], r4 = ar[ri + 4], r5 = ar[ri + 5];
        for (int e = e0; e < e1; e++) {
            int t = aOff[e];
            int p0 = r0 + t, p1 = r1 + t, p2 = r2 + t, p3 = r3 + t, p4 = r4 + t, p5 = r5 + t;
            int bk = bo + (e * kin + i0) * w;
            for (int i = i0; i < i1; i++, bk += w) {
                FloatVector b0 = FloatVector.fromArray(F, b, bk);
                FloatVector b1 = FloatVector.fromArray(F, b, bk + L);
                FloatVector v;
                v = FloatVector.broadcast(F, a[p0 + i]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
                v = FloatVector.broadcast(F, a[p1 + i]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
                v = FloatVector.broadcast(F, a[p2 + i]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
                v = FloatVector.broadcast(F, a[p3 + i]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
                v = FloatVector.broadcast(F, a[p4 + i]); c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
                v = FloatVector.broadcast(F, a[p5 + i]); c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            }
        }
        c00.intoArray(c, o0); c01.intoArray(c, o0 + L);
        c10.intoArray(c, o1); c11.intoArray(c, o1 + L);
        c20.intoArray(c, o2); c21.intoArray(c, o2 + L);
        c30.intoArray(c, o3); c31.intoArray(c, o3 + L);
        c40.intoArray(c, o4); c41.intoArray(c, o4 + L);
        c50.intoArray(c, o5); c51.intoArray(c, o5 + L);
    }

    /** C[8, L] (+)= A[8, (e,i)] * B[(e,i), L]; as {@link #k6x2} for one-vector panels. */
    static void k8x1(float[] a, int[] ar, int ri, int[] aOff, int e0, int e1, int i0, int i1, int kin,
                     float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        int o0 = cr[ci] + cc, o1 = cr[ci + 1] + cc, o2 = cr[ci + 2] + cc, o3 = cr[ci + 3] + cc;
        int o4 = cr[ci + 4] + cc, o5 = cr[ci + 5] + cc, o6 = cr[ci + 6] + cc, o7 = cr[ci + 7] + cc;
        if (acc) {
            c0 = FloatVector.fromArray(F, c, o0); c1 = FloatVector.fromArray(F, c, o1);
            c2 = FloatVector.fromArray(F, c, o2); c3 = FloatVector.fromArray(F, c, o3);
            c4 = FloatVector.fromArray(F, c, o4); c5 = FloatVector.fromArray(F, c, o5);
            c6 = FloatVector.fromArray(F, c, o6); c7 = FloatVector.fromArray(F, c, o7);
        } else {
            FloatVector z = FloatVector.zero(F);
            c0 = z; c1 = z; c2 = z; c3 = z; c4 = z; c5 = z; c6 = z; c7 = z;
        }
        final int r0 = ar[ri], r1 = ar[ri + 1], r2 = ar[ri + 2], r3 = ar[ri + 3];
        final int r4 = ar[ri + 4], r5 = ar[ri + 5], r6 = ar[ri + 6], r7 = ar[ri + 7];
        for (int e = e0; e < e1; e++) {
            int t = aOff[e];
            int p0 = r0 + t, p1 = r1 + t, p2 = r2 + t, p3 = r3 + t;
            int p4 = r4 + t, p5 = r5 + t, p6 = r6 + t, p7 = r7 + t;
            int bk = bo + (e * kin + i0) * L;
            for (int i = i0; i < i1; i++, bk += L) {
                FloatVector b0 = FloatVector.fromArray(F, b, bk);
                c0 = FloatVector.broadcast(F, a[p0 + i]).fma(b0, c0);
                c1 = FloatVector.broadcast(F, a[p1 + i]).fma(b0, c1);
                c2 = FloatVector.broadcast(F, a[p2 + i]).fma(b0, c2);
                c3 = FloatVector.broadcast(F, a[p3 + i]).fma(b0, c3);
                c4 = FloatVector.broadcast(F, a[p4 + i]).fma(b0, c4);
                c5 = FloatVector.broadcast(F, a[p5 + i]).fma(b0, c5);
                c6 = FloatVector.broadcast(F, a[p6 + i]).fma(b0, c6);
                c7 = FloatVector.broadcast(F, a[p7 + i]).fma(b0, c7);
            }
        }
        c0.intoArray(c, o0); c1.intoArray(c, o1); c2.intoArray(c, o2); c3.intoArray(c, o3);
        c4.intoArray(c, o4); c5.intoArray(c, o5); c6.intoArray(c, o6); c7.intoArray(c, o7);
    }

    /**
     * P[k0..k0+6, col..col+2L) += sum over output rows q in [q0,q1), columns ox in [0,ow) of
     * x[xb(q) + ox*aV + kOff[k]] * d[dOff + (q*ow + ox)*ldd + col ..], with xb(q) = img*aImg + oy*aU.
     * P rows are {@code p[po + r*ldp ..]}.
     */
    static void w6x2(float[] x, int[] kOff, int ki, int aImg, int aU, int aV, int oh, int ow, int q0, int q1,
                     float[] d, int dOff, int ldd, int col, float[] p, int po, int ldp) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        int o0 = po, o1 = po + ldp, o2 = po + 2 * ldp, o3 = po + 3 * ldp, o4 = po + 4 * ldp, o5 = po + 5 * ldp;
        c00 = FloatVector.fromArray(F, p, o0); c01 = FloatVector.fromArray(F, p, o0 + L);
        c10 = FloatVector.fromArray(F, p, o1); c11 = FloatVector.fromArray(F, p, o1 + L);
        c20 = FloatVector.fromArray(F, p, o2); c21 = FloatVector.fromArray(F, p, o2 + L);
        c30 = FloatVector.fromArray(F, p, o3); c31 = FloatVector.fromArray(F, p, o3 + L);
        c40 = FloatVector.fromArray(F, p, o4); c41 = FloatVector.fromArray(F, p, o4 + L);
        c50 = FloatVector.fromArray(F, p, o5); c51 = FloatVector.fromArray(F, p, o5 + L);
        final int k0 = kOff[ki], k1 = kOff[ki + 1], k2 = kOff[ki + 2];
        final int k3 = kOff[ki + 3], k4 = kOff[ki + 4], k5 = kOff[ki + 5];
        int img = q0 / oh, oy = q0 % oh;
        for (int q = q0; q < q1; q++) {
            int xb = img * aImg + oy * aU;
            int p0 = xb + k0, p1 = xb + k1, p2 = xb + k2, p3 = xb + k3, p4 = xb + k4, p5 = xb + k5;
            int db = dOff + q * ow * ldd + col;
            for (int ox = 0, xo = 0; ox < ow; ox++, xo += aV, db += ldd) {
                FloatVector b0 = FloatVector.fromArray(F, d, db);
                FloatVector b1 = FloatVector.fromArray(F, d, db + L);
                FloatVector v;
                v = FloatVector.broadcast(F, x[p0 + xo]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
                v = FloatVector.broadcast(F, x[p1 + xo]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
                v = FloatVector.broadcast(F, x[p2 + xo]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
                v = FloatVector.broadcast(F, x[p3 + xo]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
                v = FloatVector.broadcast(F, x[p4 + xo]); c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
                v = FloatVector.broadcast(F, x[p5 + xo]); c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            }
            if (++oy == oh) { oy = 0; img++; }
        }
        c00.intoArray(p, o0); c01.intoArray(p, o0 + L);
        c10.intoArray(p, o1); c11.intoArray(p, o1 + L);
        c20.intoArray(p, o2); c21.intoArray(p, o2 + L);
        c30.intoArray(p, o3); c31.intoArray(p, o3 + L);
        c40.intoArray(p, o4); c41.intoArray(p, o4 + L);
        c50.intoArray(p, o5); c51.intoArray(p, o5 + L);
    }

    /** As {@link #w6x2} for 8 k rows and one vector of columns. */
    static void w8x1(float[] x, int[] kOff, int ki, int aImg, int aU, int aV, int oh, int ow, int q0, int q1,
                     float[] d, int dOff, int ldd, int col, float[] p, int po, int ldp) {
        int o0 = po, o1 = po + ldp, o2 = po + 2 * ldp, o3 = po + 3 * ldp;
        int o4 = po + 4 * ldp, o5 = po + 5 * ldp, o6 = po + 6 * ldp, o7 = po + 7 * ldp;
        FloatVector c0 = FloatVector.fromArray(F, p, o0), c1 = FloatVector.fromArray(F, p, o1);
        FloatVector c2 = FloatVector.fromArray(F, p, o2), c3 = FloatVector.fromArray(F, p, o3);
        FloatVector c4 = FloatVector.fromArray(F, p, o4), c5 = FloatVector.fromArray(F, p, o5);
        FloatVector c6 = FloatVector.fromArray(F, p, o6), c7 = FloatVector.fromArray(F, p, o7);
        final int k0 = kOff[ki], k1 = kOff[ki + 1], k2 = kOff[ki + 2], k3 = kOff[ki + 3];
        final int k4 = kOff[ki + 4], k5 = kOff[ki + 5], k6 = kOff[ki + 6], k7 = kOff[ki + 7];
        int img = q0 / oh, oy = q0 % oh;
        for (int q = q0; q < q1; q++) {
            int xb = img * aImg + oy * aU;
            int p0 = xb + k0, p1 = xb + k1, p2 = xb + k2, p3 = xb + k3;
            int p4 = xb + k4, p5 = xb + k5, p6 = xb + k6, p7 = xb + k7;
            int db = dOff + q * ow * ldd + col;
            for (int ox = 0, xo = 0; ox < ow; ox++, xo += aV, db += ldd) {
                FloatVector b0 = FloatVector.fromArray(F, d, db);
                c0 = FloatVector.broadcast(F, x[p0 + xo]).fma(b0, c0);
                c1 = FloatVector.broadcast(F, x[p1 + xo]).fma(b0, c1);
                c2 = FloatVector.broadcast(F, x[p2 + xo]).fma(b0, c2);
                c3 = FloatVector.broadcast(F, x[p3 + xo]).fma(b0, c3);
                c4 = FloatVector.broadcast(F, x[p4 + xo]).fma(b0, c4);
                c5 = FloatVector.broadcast(F, x[p5 + xo]).fma(b0, c5);
                c6 = FloatVector.broadcast(F, x[p6 + xo]).fma(b0, c6);
                c7 = FloatVector.broadcast(F, x[p7 + xo]).fma(b0, c7);
            }
            if (++oy == oh) { oy = 0; img++; }
        }
        c0.intoArray(p, o0); c1.intoArray(p, o1); c2.intoArray(p, o2); c3.intoArray(p, o3);
        c4.intoArray(p, o4); c5.intoArray(p, o5); c6.intoArray(p, o6); c7.intoArray(p, o7);
    }
}
