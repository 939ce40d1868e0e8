package org.jresnet.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked GEMM micro-kernels: a block of C lives in vector registers while the k loop
 * broadcasts one A value per row and loads one or two B vectors, then fused-multiply-adds.
 *
 * <p>Eighteen kernels in four families, each shape rows x vectors of C:
 * <ul>
 *   <li>GEMM ({@code k3x4}, {@code k4x4} at 512 bits, {@code k6x2}, {@code k8x1}), chosen by the width of the B panel:
 *       12 accumulators for 4 or 2 vectors, 8 for panels of one vector (a stage of L channels, such
 *       as CIFAR ResNets' 16 at L = 16); for A rows dense in k (1x1 convolutions, the Winograd
 *       GEMM) {@code k4x4d} (16 accumulators, 512 bits only), {@code k3x4d} and {@code k6x2d};</li>
 *   <li>weight gradient with input channels as rows ({@code w6x2}, {@code w8x1});</li>
 *   <li>weight gradient with output channels as rows ({@code wt8x2}, {@code wt8x1}, {@code wt4x4L}, {@code wt8x3L},
 *       {@code wt4x3L});</li>
 *   <li>row-direct 3-wide convolution of adjacent output pixels ({@code rd8x1}, {@code rd8x1L}, {@code rd8x2},
 *       {@code rd4x4}).</li>
 * </ul>
 * Fewer broadcasts per FMA is faster: a broadcast costs a vector-unit slot (the share of the FMA
 * peak each shape reaches: docs/benchmark.md, "Kernel tuning").
 *
 * <p>"Shifted" kernels ({@code k3x4}, {@code k6x2}, {@code k8x1}) read A rows through per-row base offsets plus
 * per-tap offsets, so a convolution's input is read in place as an implicit im2col: row r of A
 * is {@code a[ar[r] + kOff[k]]}, kOff[k] = shift of tap e + channel i for k = e*kin + i.
 * B is packed k-major, {@code b[bo + k*W + 0..W)}. One flat k loop: C2 on JDK 17 boxes vectors
 * carried through nested loops, so taps are not a loop of their own. C rows are {@code c[cr[r] + cc + 0..W)}.
 *
 * <p>Weight-gradient kernels ({@code w6x2}, {@code w8x1}) compute C[k, :] += sum over pixels of
 * x[pixel + kOff[k]] * dy[pixel, :] reducing over a run of pixels whose input offsets are listed in {@code pix}.
 *
 * <p>Kept small and monomorphic so C2 keeps every accumulator in a register.
 */
final class MicroKernel {
    static final VectorSpecies<Float> F = Simd.F;
    static final int L = F.length();
    /** Rows of the four-vector kernel. */
    static final int MR4 = 3;
    /** Rows of the four-vector kernel for dense A rows ({@link #k4d}). */
    static final int MR4D = L >= 16 ? 4 : 3;
    /** Rows of the two-vector kernel. */
    static final int MR2 = 6;
    /** Rows of the one-vector kernel. */
    static final int MR1 = 8;
    /** Whether {@link #wt8x3L}'s 28 live vectors fit the register file: 32 vector registers at 512 bits. */
    static final boolean WIDE_REGISTERS = L >= 16;
    /** A multiple of both row counts: tiles and thread chunks are cut on it. */
    static final int MR_LCM = 24;

    private MicroKernel() {}

    /**
     * Row stride of a gathered A block (ShiftedGemm's strided tiles, Winograd's V rows) at 512 bits:
     * 512 channels (ResNet-50's widest Winograd input) plus a cache line, so that rows shorter
     * than the stride do not all fall into the same few cache sets.
     */
    static final int KC = 512 + 16;

    /** Whether gathered rows go {@link #KC} apart: with 512-bit vectors (at 256 bits they stay dense). */
    static final boolean PACKED_ROWS = WIDE_REGISTERS;

    /**
     * C[MR4D, 4L] (+)= A[MR4D, k] * B[k, 4L] for dense A rows: {@link #k4x4d} where 32 vector
     * registers hold its 24 live vectors (512-bit species: AVX-512), else {@link #k3x4d} (AVX2 has
     * 16). MR4D is a constant, so C2 keeps one branch.
     */
    static void k4d(float[] a, int[] ar, int ri, int k0, int k1,
                    float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        if (MR4D == 4) k4x4d(a, ar, ri, k0, k1, b, bo, c, cr, ci, cc, acc);
        else k3x4d(a, ar, ri, k0, k1, b, bo, c, cr, ci, cc, acc);
    }

    /**
     * C[4, 4L] (+)= A[4, k] * B[k, 4L] for dense A rows at 512 bits, row j at {@code a[ar[ri + j] + k]}:
     * a 1x1 convolution's pixels read in place, or rows gathered {@link #KC} apart. Four rows: 16
     * accumulators, 4 B vectors and 4 broadcasts fit the 32 vector registers however C2 schedules
     * the loop. Six (k6x4d, and k6x4p on rows at a constant stride) had 24 accumulators, and in
     * about one JVM launch in four on Zen 4 C2 hoisted all six broadcasts to the top of the loop
     * (34 live vectors): 59 instructions a k step with 14 register moves and a stack spill instead
     * of 43, every 1x1 layer 25-100% slower for the whole run. Four rows through offsets run as
     * fast as four at a constant stride (k4x4p, one index register): ResNet-50 b1 44.1 / 44.0 ms,
     * b16 595 / 596 ms (Zen 4), so the 1x1 rows are no longer copied for it (the copies were 4% of
     * a batch-1 forward: b1 44.5 -> 42.4 ms, b16 623 -> 595). Same FMAs in the same order per
     * element as every other GEMM kernel.
     */
    static void k4x4d(float[] a, int[] ar, int ri, int k0, int k1,
                      float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        final int w = 4 * L;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        final int r0 = ar[ri], r1 = ar[ri + 1], r2 = ar[ri + 2], r3 = ar[ri + 3];
        for (int k = k0, bk = bo + k0 * w; k < k1; k++, bk += w) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk + 0 * L);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + 1 * L);
            FloatVector b2 = FloatVector.fromArray(F, b, bk + 2 * L);
            FloatVector b3 = FloatVector.fromArray(F, b, bk + 3 * L);
            FloatVector v;
            v = FloatVector.broadcast(F, a[r0 + k]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01); c02 = v.fma(b2, c02); c03 = v.fma(b3, c03);
            v = FloatVector.broadcast(F, a[r1 + k]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11); c12 = v.fma(b2, c12); c13 = v.fma(b3, c13);
            v = FloatVector.broadcast(F, a[r2 + k]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21); c22 = v.fma(b2, c22); c23 = v.fma(b3, c23);
            v = FloatVector.broadcast(F, a[r3 + k]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31); c32 = v.fma(b2, c32); c33 = v.fma(b3, c33);
        }
        int o0 = cr[ci + 0] + cc, o1 = cr[ci + 1] + cc, o2 = cr[ci + 2] + cc, o3 = cr[ci + 3] + cc;
        if (acc) {
            c00.add(FloatVector.fromArray(F, c, o0 + 0 * L)).intoArray(c, o0 + 0 * L);
            c01.add(FloatVector.fromArray(F, c, o0 + 1 * L)).intoArray(c, o0 + 1 * L);
            c02.add(FloatVector.fromArray(F, c, o0 + 2 * L)).intoArray(c, o0 + 2 * L);
            c03.add(FloatVector.fromArray(F, c, o0 + 3 * L)).intoArray(c, o0 + 3 * L);
            c10.add(FloatVector.fromArray(F, c, o1 + 0 * L)).intoArray(c, o1 + 0 * L);
            c11.add(FloatVector.fromArray(F, c, o1 + 1 * L)).intoArray(c, o1 + 1 * L);
            c12.add(FloatVector.fromArray(F, c, o1 + 2 * L)).intoArray(c, o1 + 2 * L);
            c13.add(FloatVector.fromArray(F, c, o1 + 3 * L)).intoArray(c, o1 + 3 * L);
            c20.add(FloatVector.fromArray(F, c, o2 + 0 * L)).intoArray(c, o2 + 0 * L);
            c21.add(FloatVector.fromArray(F, c, o2 + 1 * L)).intoArray(c, o2 + 1 * L);
            c22.add(FloatVector.fromArray(F, c, o2 + 2 * L)).intoArray(c, o2 + 2 * L);
            c23.add(FloatVector.fromArray(F, c, o2 + 3 * L)).intoArray(c, o2 + 3 * L);
            c30.add(FloatVector.fromArray(F, c, o3 + 0 * L)).intoArray(c, o3 + 0 * L);
            c31.add(FloatVector.fromArray(F, c, o3 + 1 * L)).intoArray(c, o3 + 1 * L);
            c32.add(FloatVector.fromArray(F, c, o3 + 2 * L)).intoArray(c, o3 + 2 * L);
            c33.add(FloatVector.fromArray(F, c, o3 + 3 * L)).intoArray(c, o3 + 3 * L);
        } else {
            c00.intoArray(c, o0 + 0 * L); c01.intoArray(c, o0 + 1 * L); c02.intoArray(c, o0 + 2 * L); c03.intoArray(c, o0 + 3 * L);
            c10.intoArray(c, o1 + 0 * L); c11.intoArray(c, o1 + 1 * L); c12.intoArray(c, o1 + 2 * L); c13.intoArray(c, o1 + 3 * L);
            c20.intoArray(c, o2 + 0 * L); c21.intoArray(c, o2 + 1 * L); c22.intoArray(c, o2 + 2 * L); c23.intoArray(c, o2 + 3 * L);
            c30.intoArray(c, o3 + 0 * L); c31.intoArray(c, o3 + 1 * L); c32.intoArray(c, o3 + 2 * L); c33.intoArray(c, o3 + 3 * L);
        }
    }

    /**
     * {@link #k3x4} for A rows that are dense in k (kOff the identity: the Winograd transform's rows,
     * a 1x1 convolution's pixels): each row's index is linear in k, so C2 hoists the range checks
     * out of the loop and needs no kOff load, freeing the registers the general kernel spills.
     */
    static void k3x4d(float[] a, int[] ar, int ri, int k0, int k1,
                     float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        final int w = 4 * L;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z, c20 = z, c21 = z, c22 = z, c23 = z;
        final int r0 = ar[ri], r1 = ar[ri + 1], r2 = ar[ri + 2];
        for (int k = k0, bk = bo + k0 * w; k < k1; k++, bk += w) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk + 0 * L);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + 1 * L);
            FloatVector b2 = FloatVector.fromArray(F, b, bk + 2 * L);
            FloatVector b3 = FloatVector.fromArray(F, b, bk + 3 * L);
            FloatVector v;
            v = FloatVector.broadcast(F, a[r0 + k]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01); c02 = v.fma(b2, c02); c03 = v.fma(b3, c03);
            v = FloatVector.broadcast(F, a[r1 + k]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11); c12 = v.fma(b2, c12); c13 = v.fma(b3, c13);
            v = FloatVector.broadcast(F, a[r2 + k]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21); c22 = v.fma(b2, c22); c23 = v.fma(b3, c23);
        }
        int o0 = cr[ci] + cc, o1 = cr[ci + 1] + cc, o2 = cr[ci + 2] + cc;
        if (acc) {
            c00.add(FloatVector.fromArray(F, c, o0 + 0 * L)).intoArray(c, o0 + 0 * L);
            c01.add(FloatVector.fromArray(F, c, o0 + 1 * L)).intoArray(c, o0 + 1 * L);
            c02.add(FloatVector.fromArray(F, c, o0 + 2 * L)).intoArray(c, o0 + 2 * L);
            c03.add(FloatVector.fromArray(F, c, o0 + 3 * L)).intoArray(c, o0 + 3 * L);
            c10.add(FloatVector.fromArray(F, c, o1 + 0 * L)).intoArray(c, o1 + 0 * L);
            c11.add(FloatVector.fromArray(F, c, o1 + 1 * L)).intoArray(c, o1 + 1 * L);
            c12.add(FloatVector.fromArray(F, c, o1 + 2 * L)).intoArray(c, o1 + 2 * L);
            c13.add(FloatVector.fromArray(F, c, o1 + 3 * L)).intoArray(c, o1 + 3 * L);
            c20.add(FloatVector.fromArray(F, c, o2 + 0 * L)).intoArray(c, o2 + 0 * L);
            c21.add(FloatVector.fromArray(F, c, o2 + 1 * L)).intoArray(c, o2 + 1 * L);
            c22.add(FloatVector.fromArray(F, c, o2 + 2 * L)).intoArray(c, o2 + 2 * L);
            c23.add(FloatVector.fromArray(F, c, o2 + 3 * L)).intoArray(c, o2 + 3 * L);
        } else {
            c00.intoArray(c, o0 + 0 * L); c01.intoArray(c, o0 + 1 * L); c02.intoArray(c, o0 + 2 * L); c03.intoArray(c, o0 + 3 * L);
            c10.intoArray(c, o1 + 0 * L); c11.intoArray(c, o1 + 1 * L); c12.intoArray(c, o1 + 2 * L); c13.intoArray(c, o1 + 3 * L);
            c20.intoArray(c, o2 + 0 * L); c21.intoArray(c, o2 + 1 * L); c22.intoArray(c, o2 + 2 * L); c23.intoArray(c, o2 + 3 * L);
        }
    }

    /**
     * {@link #k6x2} for A rows that are dense in k (kOff the identity: the Winograd transform's rows,
     * a 1x1 convolution's pixels): each row's index is linear in k, so C2 hoists the range checks
     * out of the loop and needs no kOff load, freeing the registers the general kernel spills.
     */
    static void k6x2d(float[] a, int[] ar, int ri, int k0, int k1,
                     float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        final int w = 2 * L;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        // start from zero and add C at the end: a vector phi merging two branches would box on C2
        FloatVector z = FloatVector.zero(F);
        c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z;
        c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        final int r0 = ar[ri], r1 = ar[ri + 1], r2 = ar[ri + 2], r3 = ar[ri + 3], r4 = ar[ri + 4], r5 = ar[ri + 5];
        for (int k = k0, bk = bo + k0 * w; k < k1; k++, bk += w) {
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + L);
            FloatVector v;
            v = FloatVector.broadcast(F, a[r0 + k]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(F, a[r1 + k]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(F, a[r2 + k]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(F, a[r3 + k]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(F, a[r4 + k]); c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(F, a[r5 + k]); c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
        }
        // after the loop: the C offsets would hold registers through it (the k loop needs them)
        int o0 = cr[ci] + cc, o1 = cr[ci + 1] + cc, o2 = cr[ci + 2] + cc;
        int o3 = cr[ci + 3] + cc, o4 = cr[ci + 4] + cc, o5 = cr[ci + 5] + cc;
        if (acc) {
            c00.add(FloatVector.fromArray(F, c, o0)).intoArray(c, o0);
            c01.add(FloatVector.fromArray(F, c, o0 + L)).intoArray(c, o0 + L);
            c10.add(FloatVector.fromArray(F, c, o1)).intoArray(c, o1);
            c11.add(FloatVector.fromArray(F, c, o1 + L)).intoArray(c, o1 + L);
            c20.add(FloatVector.fromArray(F, c, o2)).intoArray(c, o2);
            c21.add(FloatVector.fromArray(F, c, o2 + L)).intoArray(c, o2 + L);
            c30.add(FloatVector.fromArray(F, c, o3)).intoArray(c, o3);
            c31.add(FloatVector.fromArray(F, c, o3 + L)).intoArray(c, o3 + L);
            c40.add(FloatVector.fromArray(F, c, o4)).intoArray(c, o4);
            c41.add(FloatVector.fromArray(F, c, o4 + L)).intoArray(c, o4 + L);
            c50.add(FloatVector.fromArray(F, c, o5)).intoArray(c, o5);
            c51.add(FloatVector.fromArray(F, c, o5 + L)).intoArray(c, o5 + L);
        } else {
            c00.intoArray(c, o0); c01.intoArray(c, o0 + L);
            c10.intoArray(c, o1); c11.intoArray(c, o1 + L);
            c20.intoArray(c, o2); c21.intoArray(c, o2 + L);
            c30.intoArray(c, o3); c31.intoArray(c, o3 + L);
            c40.intoArray(c, o4); c41.intoArray(c, o4 + L);
            c50.intoArray(c, o5); c51.intoArray(c, o5 + L);
        }
    }

    /**
     * {@link #k3x4} with four rows, at 512 bits (16 accumulators + 4 B vectors + broadcasts fit 32
     * registers): four broadcasts and one kOff load per sixteen FMAs. The RGB stem's kernel: its
     * 7x7/2 convolution alone, in-JVM A/B against k3x4 (Zen 4, 2 threads), batch 1 1.78 -> 1.52 and
     * 1.93 -> 1.68 ms, batch 16 30.3 -> 28.5 ms. Same FMAs in the same order per element.
     */
    static void k4x4(float[] a, int[] ar, int ri, int[] kOff, int k0, int k1,
                     float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        final int w = 4 * L;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z;
        FloatVector c10 = z, c11 = z, c12 = z, c13 = z;
        FloatVector c20 = z, c21 = z, c22 = z, c23 = z;
        FloatVector c30 = z, c31 = z, c32 = z, c33 = z;
        final int r0 = ar[ri], r1 = ar[ri + 1], r2 = ar[ri + 2], r3 = ar[ri + 3];
        for (int k = k0, bk = bo + k0 * w; k < k1; k++, bk += w) {
            int t = kOff[k];
            FloatVector b0 = FloatVector.fromArray(F, b, bk + 0 * L);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + 1 * L);
            FloatVector b2 = FloatVector.fromArray(F, b, bk + 2 * L);
            FloatVector b3 = FloatVector.fromArray(F, b, bk + 3 * L);
            FloatVector v;
            v = FloatVector.broadcast(F, a[r0 + t]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01); c02 = v.fma(b2, c02); c03 = v.fma(b3, c03);
            v = FloatVector.broadcast(F, a[r1 + t]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11); c12 = v.fma(b2, c12); c13 = v.fma(b3, c13);
            v = FloatVector.broadcast(F, a[r2 + t]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21); c22 = v.fma(b2, c22); c23 = v.fma(b3, c23);
            v = FloatVector.broadcast(F, a[r3 + t]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31); c32 = v.fma(b2, c32); c33 = v.fma(b3, c33);
        }
        int o0 = cr[ci + 0] + cc, o1 = cr[ci + 1] + cc, o2 = cr[ci + 2] + cc, o3 = cr[ci + 3] + cc;
        if (acc) {
            c00.add(FloatVector.fromArray(F, c, o0 + 0 * L)).intoArray(c, o0 + 0 * L);
            c01.add(FloatVector.fromArray(F, c, o0 + 1 * L)).intoArray(c, o0 + 1 * L);
            c02.add(FloatVector.fromArray(F, c, o0 + 2 * L)).intoArray(c, o0 + 2 * L);
            c03.add(FloatVector.fromArray(F, c, o0 + 3 * L)).intoArray(c, o0 + 3 * L);
            c10.add(FloatVector.fromArray(F, c, o1 + 0 * L)).intoArray(c, o1 + 0 * L);
            c11.add(FloatVector.fromArray(F, c, o1 + 1 * L)).intoArray(c, o1 + 1 * L);
            c12.add(FloatVector.fromArray(F, c, o1 + 2 * L)).intoArray(c, o1 + 2 * L);
            c13.add(FloatVector.fromArray(F, c, o1 + 3 * L)).intoArray(c, o1 + 3 * L);
            c20.add(FloatVector.fromArray(F, c, o2 + 0 * L)).intoArray(c, o2 + 0 * L);
            c21.add(FloatVector.fromArray(F, c, o2 + 1 * L)).intoArray(c, o2 + 1 * L);
            c22.add(FloatVector.fromArray(F, c, o2 + 2 * L)).intoArray(c, o2 + 2 * L);
            c23.add(FloatVector.fromArray(F, c, o2 + 3 * L)).intoArray(c, o2 + 3 * L);
            c30.add(FloatVector.fromArray(F, c, o3 + 0 * L)).intoArray(c, o3 + 0 * L);
            c31.add(FloatVector.fromArray(F, c, o3 + 1 * L)).intoArray(c, o3 + 1 * L);
            c32.add(FloatVector.fromArray(F, c, o3 + 2 * L)).intoArray(c, o3 + 2 * L);
            c33.add(FloatVector.fromArray(F, c, o3 + 3 * L)).intoArray(c, o3 + 3 * L);
        } else {
            c00.intoArray(c, o0 + 0 * L); c01.intoArray(c, o0 + 1 * L); c02.intoArray(c, o0 + 2 * L); c03.intoArray(c, o0 + 3 * L);
            c10.intoArray(c, o1 + 0 * L); c11.intoArray(c, o1 + 1 * L); c12.intoArray(c, o1 + 2 * L); c13.intoArray(c, o1 + 3 * L);
            c20.intoArray(c, o2 + 0 * L); c21.intoArray(c, o2 + 1 * L); c22.intoArray(c, o2 + 2 * L); c23.intoArray(c, o2 + 3 * L);
            c30.intoArray(c, o3 + 0 * L); c31.intoArray(c, o3 + 1 * L); c32.intoArray(c, o3 + 2 * L); c33.intoArray(c, o3 + 3 * L);
        }
    }

    /** C[3, 4L] (+)= A[3, k] * B[k, 4L]: three broadcasts per twelve FMAs, for panels of four vectors. */
    static void k3x4(float[] a, int[] ar, int ri, int[] kOff, int k0, int k1,
                     float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        final int w = 4 * L;
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z, c01 = z, c02 = z, c03 = z, c10 = z, c11 = z, c12 = z, c13 = z, c20 = z, c21 = z, c22 = z, c23 = z;
        final int r0 = ar[ri], r1 = ar[ri + 1], r2 = ar[ri + 2];
        for (int k = k0, bk = bo + k0 * w; k < k1; k++, bk += w) {
            int t = kOff[k];
            FloatVector b0 = FloatVector.fromArray(F, b, bk + 0 * L);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + 1 * L);
            FloatVector b2 = FloatVector.fromArray(F, b, bk + 2 * L);
            FloatVector b3 = FloatVector.fromArray(F, b, bk + 3 * L);
            FloatVector v;
            v = FloatVector.broadcast(F, a[r0 + t]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01); c02 = v.fma(b2, c02); c03 = v.fma(b3, c03);
            v = FloatVector.broadcast(F, a[r1 + t]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11); c12 = v.fma(b2, c12); c13 = v.fma(b3, c13);
            v = FloatVector.broadcast(F, a[r2 + t]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21); c22 = v.fma(b2, c22); c23 = v.fma(b3, c23);
        }
        int o0 = cr[ci] + cc, o1 = cr[ci + 1] + cc, o2 = cr[ci + 2] + cc;
        if (acc) {
            c00.add(FloatVector.fromArray(F, c, o0 + 0 * L)).intoArray(c, o0 + 0 * L);
            c01.add(FloatVector.fromArray(F, c, o0 + 1 * L)).intoArray(c, o0 + 1 * L);
            c02.add(FloatVector.fromArray(F, c, o0 + 2 * L)).intoArray(c, o0 + 2 * L);
            c03.add(FloatVector.fromArray(F, c, o0 + 3 * L)).intoArray(c, o0 + 3 * L);
            c10.add(FloatVector.fromArray(F, c, o1 + 0 * L)).intoArray(c, o1 + 0 * L);
            c11.add(FloatVector.fromArray(F, c, o1 + 1 * L)).intoArray(c, o1 + 1 * L);
            c12.add(FloatVector.fromArray(F, c, o1 + 2 * L)).intoArray(c, o1 + 2 * L);
            c13.add(FloatVector.fromArray(F, c, o1 + 3 * L)).intoArray(c, o1 + 3 * L);
            c20.add(FloatVector.fromArray(F, c, o2 + 0 * L)).intoArray(c, o2 + 0 * L);
            c21.add(FloatVector.fromArray(F, c, o2 + 1 * L)).intoArray(c, o2 + 1 * L);
            c22.add(FloatVector.fromArray(F, c, o2 + 2 * L)).intoArray(c, o2 + 2 * L);
            c23.add(FloatVector.fromArray(F, c, o2 + 3 * L)).intoArray(c, o2 + 3 * L);
        } else {
            c00.intoArray(c, o0 + 0 * L); c01.intoArray(c, o0 + 1 * L); c02.intoArray(c, o0 + 2 * L); c03.intoArray(c, o0 + 3 * L);
            c10.intoArray(c, o1 + 0 * L); c11.intoArray(c, o1 + 1 * L); c12.intoArray(c, o1 + 2 * L); c13.intoArray(c, o1 + 3 * L);
            c20.intoArray(c, o2 + 0 * L); c21.intoArray(c, o2 + 1 * L); c22.intoArray(c, o2 + 2 * L); c23.intoArray(c, o2 + 3 * L);
        }
    }

    /** C[6, 2L] (+)= A[6, k] * B[k, 2L] over k in [k0,k1). */
    static void k6x2(float[] a, int[] ar, int ri, int[] kOff, int k0, int k1,
                     float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        final int w = 2 * L;
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        // start from zero and add C at the end: a vector phi merging two branches would box on C2
        FloatVector z = FloatVector.zero(F);
        c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z;
        c30 = z; c31 = z; c40 = z; c41 = z; c50 = z; c51 = z;
        final int r0 = ar[ri], r1 = ar[ri + 1], r2 = ar[ri + 2], r3 = ar[ri + 3], r4 = ar[ri + 4], r5 = ar[ri + 5];
        for (int k = k0, bk = bo + k0 * w; k < k1; k++, bk += w) {
            int t = kOff[k];
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            FloatVector b1 = FloatVector.fromArray(F, b, bk + L);
            FloatVector v;
            v = FloatVector.broadcast(F, a[r0 + t]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(F, a[r1 + t]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(F, a[r2 + t]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(F, a[r3 + t]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(F, a[r4 + t]); c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(F, a[r5 + t]); c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
        }
        // after the loop: the C offsets would hold registers through it (the k loop needs them)
        int o0 = cr[ci] + cc, o1 = cr[ci + 1] + cc, o2 = cr[ci + 2] + cc;
        int o3 = cr[ci + 3] + cc, o4 = cr[ci + 4] + cc, o5 = cr[ci + 5] + cc;
        if (acc) {
            c00.add(FloatVector.fromArray(F, c, o0)).intoArray(c, o0);
            c01.add(FloatVector.fromArray(F, c, o0 + L)).intoArray(c, o0 + L);
            c10.add(FloatVector.fromArray(F, c, o1)).intoArray(c, o1);
            c11.add(FloatVector.fromArray(F, c, o1 + L)).intoArray(c, o1 + L);
            c20.add(FloatVector.fromArray(F, c, o2)).intoArray(c, o2);
            c21.add(FloatVector.fromArray(F, c, o2 + L)).intoArray(c, o2 + L);
            c30.add(FloatVector.fromArray(F, c, o3)).intoArray(c, o3);
            c31.add(FloatVector.fromArray(F, c, o3 + L)).intoArray(c, o3 + L);
            c40.add(FloatVector.fromArray(F, c, o4)).intoArray(c, o4);
            c41.add(FloatVector.fromArray(F, c, o4 + L)).intoArray(c, o4 + L);
            c50.add(FloatVector.fromArray(F, c, o5)).intoArray(c, o5);
            c51.add(FloatVector.fromArray(F, c, o5 + L)).intoArray(c, o5 + L);
        } else {
            c00.intoArray(c, o0); c01.intoArray(c, o0 + L);
            c10.intoArray(c, o1); c11.intoArray(c, o1 + L);
            c20.intoArray(c, o2); c21.intoArray(c, o2 + L);
            c30.intoArray(c, o3); c31.intoArray(c, o3 + L);
            c40.intoArray(c, o4); c41.intoArray(c, o4 + L);
            c50.intoArray(c, o5); c51.intoArray(c, o5 + L);
        }
    }

    /** C[8, L] (+)= A[8, (e,i)] * B[(e,i), L]; as {@link #k6x2} for one-vector panels. */
    static void k8x1(float[] a, int[] ar, int ri, int[] kOff, int k0, int k1,
                     float[] b, int bo, float[] c, int[] cr, int ci, int cc, boolean acc) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        FloatVector z = FloatVector.zero(F);
        c0 = z; c1 = z; c2 = z; c3 = z; c4 = z; c5 = z; c6 = z; c7 = z;
        final int r0 = ar[ri], r1 = ar[ri + 1], r2 = ar[ri + 2], r3 = ar[ri + 3];
        final int r4 = ar[ri + 4], r5 = ar[ri + 5], r6 = ar[ri + 6], r7 = ar[ri + 7];
        for (int k = k0, bk = bo + k0 * L; k < k1; k++, bk += L) {
            int t = kOff[k];
            FloatVector b0 = FloatVector.fromArray(F, b, bk);
            c0 = FloatVector.broadcast(F, a[r0 + t]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, a[r1 + t]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, a[r2 + t]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, a[r3 + t]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, a[r4 + t]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, a[r5 + t]).fma(b0, c5);
            c6 = FloatVector.broadcast(F, a[r6 + t]).fma(b0, c6);
            c7 = FloatVector.broadcast(F, a[r7 + t]).fma(b0, c7);
        }
        // after the loop: the C offsets would hold registers through it (the k loop needs them)
        int o0 = cr[ci] + cc, o1 = cr[ci + 1] + cc, o2 = cr[ci + 2] + cc, o3 = cr[ci + 3] + cc;
        int o4 = cr[ci + 4] + cc, o5 = cr[ci + 5] + cc, o6 = cr[ci + 6] + cc, o7 = cr[ci + 7] + cc;
        if (acc) {
            c0.add(FloatVector.fromArray(F, c, o0)).intoArray(c, o0);
            c1.add(FloatVector.fromArray(F, c, o1)).intoArray(c, o1);
            c2.add(FloatVector.fromArray(F, c, o2)).intoArray(c, o2);
            c3.add(FloatVector.fromArray(F, c, o3)).intoArray(c, o3);
            c4.add(FloatVector.fromArray(F, c, o4)).intoArray(c, o4);
            c5.add(FloatVector.fromArray(F, c, o5)).intoArray(c, o5);
            c6.add(FloatVector.fromArray(F, c, o6)).intoArray(c, o6);
            c7.add(FloatVector.fromArray(F, c, o7)).intoArray(c, o7);
        } else {
            c0.intoArray(c, o0); c1.intoArray(c, o1); c2.intoArray(c, o2); c3.intoArray(c, o3);
            c4.intoArray(c, o4); c5.intoArray(c, o5); c6.intoArray(c, o6); c7.intoArray(c, o7);
        }
    }

    /**
     * P[ki..ki+6, col..col+2L) += sum over pixels m in [m0,m1) of
     * x[pix[m - m0] + kOff[k]] * d[dOff + m*ldd + col ..]; P rows are {@code p[po + r*ldp ..]}.
     */
    static void w6x2(float[] x, int[] kOff, int ki, int[] pix, int m0, int m1,
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
        for (int m = m0, db = dOff + m0 * ldd + col; m < m1; m++, db += ldd) {
            int xb = pix[m - m0];
            FloatVector b0 = FloatVector.fromArray(F, d, db);
            FloatVector b1 = FloatVector.fromArray(F, d, db + L);
            FloatVector v;
            v = FloatVector.broadcast(F, x[xb + k0]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(F, x[xb + k1]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(F, x[xb + k2]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(F, x[xb + k3]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(F, x[xb + k4]); c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(F, x[xb + k5]); c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
        }
        c00.intoArray(p, o0); c01.intoArray(p, o0 + L);
        c10.intoArray(p, o1); c11.intoArray(p, o1 + L);
        c20.intoArray(p, o2); c21.intoArray(p, o2 + L);
        c30.intoArray(p, o3); c31.intoArray(p, o3 + L);
        c40.intoArray(p, o4); c41.intoArray(p, o4 + L);
        c50.intoArray(p, o5); c51.intoArray(p, o5 + L);
    }

    /** As {@link #w6x2} for 8 k rows and one vector of columns. */
    static void w8x1(float[] x, int[] kOff, int ki, int[] pix, int m0, int m1,
                     float[] d, int dOff, int ldd, int col, float[] p, int po, int ldp) {
        int o0 = po, o1 = po + ldp, o2 = po + 2 * ldp, o3 = po + 3 * ldp;
        int o4 = po + 4 * ldp, o5 = po + 5 * ldp, o6 = po + 6 * ldp, o7 = po + 7 * ldp;
        FloatVector c0 = FloatVector.fromArray(F, p, o0), c1 = FloatVector.fromArray(F, p, o1);
        FloatVector c2 = FloatVector.fromArray(F, p, o2), c3 = FloatVector.fromArray(F, p, o3);
        FloatVector c4 = FloatVector.fromArray(F, p, o4), c5 = FloatVector.fromArray(F, p, o5);
        FloatVector c6 = FloatVector.fromArray(F, p, o6), c7 = FloatVector.fromArray(F, p, o7);
        final int k0 = kOff[ki], k1 = kOff[ki + 1], k2 = kOff[ki + 2], k3 = kOff[ki + 3];
        final int k4 = kOff[ki + 4], k5 = kOff[ki + 5], k6 = kOff[ki + 6], k7 = kOff[ki + 7];
        for (int m = m0, db = dOff + m0 * ldd + col; m < m1; m++, db += ldd) {
            int xb = pix[m - m0];
            FloatVector b0 = FloatVector.fromArray(F, d, db);
            c0 = FloatVector.broadcast(F, x[xb + k0]).fma(b0, c0);
            c1 = FloatVector.broadcast(F, x[xb + k1]).fma(b0, c1);
            c2 = FloatVector.broadcast(F, x[xb + k2]).fma(b0, c2);
            c3 = FloatVector.broadcast(F, x[xb + k3]).fma(b0, c3);
            c4 = FloatVector.broadcast(F, x[xb + k4]).fma(b0, c4);
            c5 = FloatVector.broadcast(F, x[xb + k5]).fma(b0, c5);
            c6 = FloatVector.broadcast(F, x[xb + k6]).fma(b0, c6);
            c7 = FloatVector.broadcast(F, x[xb + k7]).fma(b0, c7);
        }
        c0.intoArray(p, o0); c1.intoArray(p, o1); c2.intoArray(p, o2); c3.intoArray(p, o3);
        c4.intoArray(p, o4); c5.intoArray(p, o5); c6.intoArray(p, o6); c7.intoArray(p, o7);
    }

    /**
     * Weight gradient with output channels as rows: P[co+r, 2 vectors] += sum over pixels m in
     * [m0,m1) of d[dOff + m*ldd + co + r] * x[pix[m - m0] + xo_v ..]; each vector is {@code L}
     * input channels of one tap. The eight dy values sit at constant offsets (one range check).
     */
    static void wt8x2(float[] x, int[] pix, int m0, int m1, int xo0, int xo1,
                      float[] d, int dOff, int ldd, int co, float[] p, int po, int ldp) {
        int o0 = po + 0 * ldp;
        int o1 = po + 1 * ldp;
        int o2 = po + 2 * ldp;
        int o3 = po + 3 * ldp;
        int o4 = po + 4 * ldp;
        int o5 = po + 5 * ldp;
        int o6 = po + 6 * ldp;
        int o7 = po + 7 * ldp;
        FloatVector c00 = FloatVector.fromArray(F, p, o0 + 0 * L); FloatVector c01 = FloatVector.fromArray(F, p, o0 + 1 * L);
        FloatVector c10 = FloatVector.fromArray(F, p, o1 + 0 * L); FloatVector c11 = FloatVector.fromArray(F, p, o1 + 1 * L);
        FloatVector c20 = FloatVector.fromArray(F, p, o2 + 0 * L); FloatVector c21 = FloatVector.fromArray(F, p, o2 + 1 * L);
        FloatVector c30 = FloatVector.fromArray(F, p, o3 + 0 * L); FloatVector c31 = FloatVector.fromArray(F, p, o3 + 1 * L);
        FloatVector c40 = FloatVector.fromArray(F, p, o4 + 0 * L); FloatVector c41 = FloatVector.fromArray(F, p, o4 + 1 * L);
        FloatVector c50 = FloatVector.fromArray(F, p, o5 + 0 * L); FloatVector c51 = FloatVector.fromArray(F, p, o5 + 1 * L);
        FloatVector c60 = FloatVector.fromArray(F, p, o6 + 0 * L); FloatVector c61 = FloatVector.fromArray(F, p, o6 + 1 * L);
        FloatVector c70 = FloatVector.fromArray(F, p, o7 + 0 * L); FloatVector c71 = FloatVector.fromArray(F, p, o7 + 1 * L);
        for (int m = m0, db = dOff + m0 * ldd + co; m < m1; m++, db += ldd) {
            int xb = pix[m - m0];
            FloatVector b0 = FloatVector.fromArray(F, x, xb + xo0);
            FloatVector b1 = FloatVector.fromArray(F, x, xb + xo1);
            FloatVector v;
            v = FloatVector.broadcast(F, d[db + 0]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(F, d[db + 1]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(F, d[db + 2]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(F, d[db + 3]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(F, d[db + 4]); c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(F, d[db + 5]); c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(F, d[db + 6]); c60 = v.fma(b0, c60); c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(F, d[db + 7]); c70 = v.fma(b0, c70); c71 = v.fma(b1, c71);
        }
        c00.intoArray(p, o0 + 0 * L); c01.intoArray(p, o0 + 1 * L);
        c10.intoArray(p, o1 + 0 * L); c11.intoArray(p, o1 + 1 * L);
        c20.intoArray(p, o2 + 0 * L); c21.intoArray(p, o2 + 1 * L);
        c30.intoArray(p, o3 + 0 * L); c31.intoArray(p, o3 + 1 * L);
        c40.intoArray(p, o4 + 0 * L); c41.intoArray(p, o4 + 1 * L);
        c50.intoArray(p, o5 + 0 * L); c51.intoArray(p, o5 + 1 * L);
        c60.intoArray(p, o6 + 0 * L); c61.intoArray(p, o6 + 1 * L);
        c70.intoArray(p, o7 + 0 * L); c71.intoArray(p, o7 + 1 * L);
    }

    /**
     * Weight gradient with output channels as rows: P[co+r, 1 vectors] += sum over pixels m in
     * [m0,m1) of d[dOff + m*ldd + co + r] * x[pix[m - m0] + xo_v ..]; each vector is {@code L}
     * input channels of one tap. The eight dy values sit at constant offsets (one range check).
     */
    static void wt8x1(float[] x, int[] pix, int m0, int m1, int xo0,
                      float[] d, int dOff, int ldd, int co, float[] p, int po, int ldp) {
        int o0 = po + 0 * ldp;
        int o1 = po + 1 * ldp;
        int o2 = po + 2 * ldp;
        int o3 = po + 3 * ldp;
        int o4 = po + 4 * ldp;
        int o5 = po + 5 * ldp;
        int o6 = po + 6 * ldp;
        int o7 = po + 7 * ldp;
        FloatVector c00 = FloatVector.fromArray(F, p, o0 + 0 * L);
        FloatVector c10 = FloatVector.fromArray(F, p, o1 + 0 * L);
        FloatVector c20 = FloatVector.fromArray(F, p, o2 + 0 * L);
        FloatVector c30 = FloatVector.fromArray(F, p, o3 + 0 * L);
        FloatVector c40 = FloatVector.fromArray(F, p, o4 + 0 * L);
        FloatVector c50 = FloatVector.fromArray(F, p, o5 + 0 * L);
        FloatVector c60 = FloatVector.fromArray(F, p, o6 + 0 * L);
        FloatVector c70 = FloatVector.fromArray(F, p, o7 + 0 * L);
        for (int m = m0, db = dOff + m0 * ldd + co; m < m1; m++, db += ldd) {
            int xb = pix[m - m0];
            FloatVector b0 = FloatVector.fromArray(F, x, xb + xo0);
            FloatVector v;
            v = FloatVector.broadcast(F, d[db + 0]); c00 = v.fma(b0, c00);
            v = FloatVector.broadcast(F, d[db + 1]); c10 = v.fma(b0, c10);
            v = FloatVector.broadcast(F, d[db + 2]); c20 = v.fma(b0, c20);
            v = FloatVector.broadcast(F, d[db + 3]); c30 = v.fma(b0, c30);
            v = FloatVector.broadcast(F, d[db + 4]); c40 = v.fma(b0, c40);
            v = FloatVector.broadcast(F, d[db + 5]); c50 = v.fma(b0, c50);
            v = FloatVector.broadcast(F, d[db + 6]); c60 = v.fma(b0, c60);
            v = FloatVector.broadcast(F, d[db + 7]); c70 = v.fma(b0, c70);
        }
        c00.intoArray(p, o0 + 0 * L);
        c10.intoArray(p, o1 + 0 * L);
        c20.intoArray(p, o2 + 0 * L);
        c30.intoArray(p, o3 + 0 * L);
        c40.intoArray(p, o4 + 0 * L);
        c50.intoArray(p, o5 + 0 * L);
        c60.intoArray(p, o6 + 0 * L);
        c70.intoArray(p, o7 + 0 * L);
    }

    /**
     * Direct 3-wide stride-1 convolution of 8 adjacent output pixels, 1 vector(s) of channels:
     * C[r] += sum_{k, kx} a[base + kOff[k] + (r+kx)*cin] * B[k, kx]. Each input value is broadcast once
     * and feeds up to three taps, so a narrow output (L or 2L channels) still keeps the FMA units busy.
     * B is {@code b[(k*3 + kx)*W ..]}; C rows are {@code c[co + r*ldc ..]}, overwritten.
     */
    static void rd8x1(float[] a, int base, int cin, int[] kOff, int kk, float[] b, float[] c, int co, int ldc) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z;
        FloatVector c10 = z;
        FloatVector c20 = z;
        FloatVector c30 = z;
        FloatVector c40 = z;
        FloatVector c50 = z;
        FloatVector c60 = z;
        FloatVector c70 = z;
        for (int k = 0, bk = 0; k < kk; k++, bk += 3 * L) {
            int p = base + kOff[k];
            FloatVector b00 = FloatVector.fromArray(F, b, bk + 0 * L);
            FloatVector b10 = FloatVector.fromArray(F, b, bk + 1 * L);
            FloatVector b20 = FloatVector.fromArray(F, b, bk + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[p]);
            c00 = x.fma(b00, c00);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c10 = x.fma(b00, c10); c00 = x.fma(b10, c00);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c20 = x.fma(b00, c20); c10 = x.fma(b10, c10); c00 = x.fma(b20, c00);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c30 = x.fma(b00, c30); c20 = x.fma(b10, c20); c10 = x.fma(b20, c10);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c40 = x.fma(b00, c40); c30 = x.fma(b10, c30); c20 = x.fma(b20, c20);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c50 = x.fma(b00, c50); c40 = x.fma(b10, c40); c30 = x.fma(b20, c30);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c60 = x.fma(b00, c60); c50 = x.fma(b10, c50); c40 = x.fma(b20, c40);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c70 = x.fma(b00, c70); c60 = x.fma(b10, c60); c50 = x.fma(b20, c50);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c70 = x.fma(b10, c70); c60 = x.fma(b20, c60);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c70 = x.fma(b20, c70);
        }
        c00.intoArray(c, co + 0 * ldc + 0 * L);
        c10.intoArray(c, co + 1 * ldc + 0 * L);
        c20.intoArray(c, co + 2 * ldc + 0 * L);
        c30.intoArray(c, co + 3 * ldc + 0 * L);
        c40.intoArray(c, co + 4 * ldc + 0 * L);
        c50.intoArray(c, co + 5 * ldc + 0 * L);
        c60.intoArray(c, co + 6 * ldc + 0 * L);
        c70.intoArray(c, co + 7 * ldc + 0 * L);
    }

    /**
     * {@link #rd8x1} for an input of exactly L channels (CIFAR ResNets' first stage at L = 16),
     * writing {@code c[co + r*L ..]}: adjacent pixels are the constant L apart, so the ten
     * broadcasts of a k step are constant offsets from one index and C2 keeps two range checks of
     * the ten, and no per-pixel offsets in registers (the general kernel spills them: ~100
     * instructions per 24 FMAs). Same FMAs in the same order as {@link #rd8x1}: bit-identical.
     */
    static void rd8x1L(float[] a, int base, int[] kOff, int kk, float[] b, float[] c, int co) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z;
        FloatVector c10 = z;
        FloatVector c20 = z;
        FloatVector c30 = z;
        FloatVector c40 = z;
        FloatVector c50 = z;
        FloatVector c60 = z;
        FloatVector c70 = z;
        for (int k = 0, bk = 0; k < kk; k++, bk += 3 * L) {
            int p = base + kOff[k];
            FloatVector b00 = FloatVector.fromArray(F, b, bk + 0 * L);
            FloatVector b10 = FloatVector.fromArray(F, b, bk + 1 * L);
            FloatVector b20 = FloatVector.fromArray(F, b, bk + 2 * L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[p]);
            c00 = x.fma(b00, c00);
            x = FloatVector.broadcast(F, a[p + 1 * L]);
            c10 = x.fma(b00, c10); c00 = x.fma(b10, c00);
            x = FloatVector.broadcast(F, a[p + 2 * L]);
            c20 = x.fma(b00, c20); c10 = x.fma(b10, c10); c00 = x.fma(b20, c00);
            x = FloatVector.broadcast(F, a[p + 3 * L]);
            c30 = x.fma(b00, c30); c20 = x.fma(b10, c20); c10 = x.fma(b20, c10);
            x = FloatVector.broadcast(F, a[p + 4 * L]);
            c40 = x.fma(b00, c40); c30 = x.fma(b10, c30); c20 = x.fma(b20, c20);
            x = FloatVector.broadcast(F, a[p + 5 * L]);
            c50 = x.fma(b00, c50); c40 = x.fma(b10, c40); c30 = x.fma(b20, c30);
            x = FloatVector.broadcast(F, a[p + 6 * L]);
            c60 = x.fma(b00, c60); c50 = x.fma(b10, c50); c40 = x.fma(b20, c40);
            x = FloatVector.broadcast(F, a[p + 7 * L]);
            c70 = x.fma(b00, c70); c60 = x.fma(b10, c60); c50 = x.fma(b20, c50);
            x = FloatVector.broadcast(F, a[p + 8 * L]);
            c70 = x.fma(b10, c70); c60 = x.fma(b20, c60);
            x = FloatVector.broadcast(F, a[p + 9 * L]);
            c70 = x.fma(b20, c70);
        }
        c00.intoArray(c, co + 0 * L);
        c10.intoArray(c, co + 1 * L);
        c20.intoArray(c, co + 2 * L);
        c30.intoArray(c, co + 3 * L);
        c40.intoArray(c, co + 4 * L);
        c50.intoArray(c, co + 5 * L);
        c60.intoArray(c, co + 6 * L);
        c70.intoArray(c, co + 7 * L);
    }

    /**
     * Direct 3-wide stride-1 convolution of 8 adjacent output pixels, 2 vector(s) of channels:
     * C[r] += sum_{k, kx} a[base + kOff[k] + (r+kx)*cin] * B[k, kx]. Each input value is broadcast once
     * and feeds up to three taps, so a narrow output (L or 2L channels) still keeps the FMA units busy.
     * B is {@code b[(k*3 + kx)*W ..]}; C rows are {@code c[co + r*ldc ..]}, overwritten.
     */
    static void rd8x2(float[] a, int base, int cin, int[] kOff, int kk, float[] b, float[] c, int co, int ldc) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z; FloatVector c01 = z;
        FloatVector c10 = z; FloatVector c11 = z;
        FloatVector c20 = z; FloatVector c21 = z;
        FloatVector c30 = z; FloatVector c31 = z;
        FloatVector c40 = z; FloatVector c41 = z;
        FloatVector c50 = z; FloatVector c51 = z;
        FloatVector c60 = z; FloatVector c61 = z;
        FloatVector c70 = z; FloatVector c71 = z;
        for (int k = 0, bk = 0; k < kk; k++, bk += 6 * L) {
            int p = base + kOff[k];
            FloatVector b00 = FloatVector.fromArray(F, b, bk + 0 * L);
            FloatVector b01 = FloatVector.fromArray(F, b, bk + 1 * L);
            FloatVector b10 = FloatVector.fromArray(F, b, bk + 2 * L);
            FloatVector b11 = FloatVector.fromArray(F, b, bk + 3 * L);
            FloatVector b20 = FloatVector.fromArray(F, b, bk + 4 * L);
            FloatVector b21 = FloatVector.fromArray(F, b, bk + 5 * L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[p]);
            c00 = x.fma(b00, c00); c01 = x.fma(b01, c01);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c10 = x.fma(b00, c10); c11 = x.fma(b01, c11); c00 = x.fma(b10, c00); c01 = x.fma(b11, c01);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c20 = x.fma(b00, c20); c21 = x.fma(b01, c21); c10 = x.fma(b10, c10); c11 = x.fma(b11, c11); c00 = x.fma(b20, c00); c01 = x.fma(b21, c01);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c30 = x.fma(b00, c30); c31 = x.fma(b01, c31); c20 = x.fma(b10, c20); c21 = x.fma(b11, c21); c10 = x.fma(b20, c10); c11 = x.fma(b21, c11);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c40 = x.fma(b00, c40); c41 = x.fma(b01, c41); c30 = x.fma(b10, c30); c31 = x.fma(b11, c31); c20 = x.fma(b20, c20); c21 = x.fma(b21, c21);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c50 = x.fma(b00, c50); c51 = x.fma(b01, c51); c40 = x.fma(b10, c40); c41 = x.fma(b11, c41); c30 = x.fma(b20, c30); c31 = x.fma(b21, c31);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c60 = x.fma(b00, c60); c61 = x.fma(b01, c61); c50 = x.fma(b10, c50); c51 = x.fma(b11, c51); c40 = x.fma(b20, c40); c41 = x.fma(b21, c41);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c70 = x.fma(b00, c70); c71 = x.fma(b01, c71); c60 = x.fma(b10, c60); c61 = x.fma(b11, c61); c50 = x.fma(b20, c50); c51 = x.fma(b21, c51);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c70 = x.fma(b10, c70); c71 = x.fma(b11, c71); c60 = x.fma(b20, c60); c61 = x.fma(b21, c61);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c70 = x.fma(b20, c70); c71 = x.fma(b21, c71);
        }
        c00.intoArray(c, co + 0 * ldc + 0 * L); c01.intoArray(c, co + 0 * ldc + 1 * L);
        c10.intoArray(c, co + 1 * ldc + 0 * L); c11.intoArray(c, co + 1 * ldc + 1 * L);
        c20.intoArray(c, co + 2 * ldc + 0 * L); c21.intoArray(c, co + 2 * ldc + 1 * L);
        c30.intoArray(c, co + 3 * ldc + 0 * L); c31.intoArray(c, co + 3 * ldc + 1 * L);
        c40.intoArray(c, co + 4 * ldc + 0 * L); c41.intoArray(c, co + 4 * ldc + 1 * L);
        c50.intoArray(c, co + 5 * ldc + 0 * L); c51.intoArray(c, co + 5 * ldc + 1 * L);
        c60.intoArray(c, co + 6 * ldc + 0 * L); c61.intoArray(c, co + 6 * ldc + 1 * L);
        c70.intoArray(c, co + 7 * ldc + 0 * L); c71.intoArray(c, co + 7 * ldc + 1 * L);
    }

    /** As {@link #rd8x1} for 4 adjacent pixels and 4 vectors of channels (one panel of B). */
    static void rd4x4(float[] a, int base, int cin, int[] kOff, int kk, float[] b, int bo, float[] c, int co, int ldc) {
        FloatVector z = FloatVector.zero(F);
        FloatVector c00 = z; FloatVector c01 = z; FloatVector c02 = z; FloatVector c03 = z;
        FloatVector c10 = z; FloatVector c11 = z; FloatVector c12 = z; FloatVector c13 = z;
        FloatVector c20 = z; FloatVector c21 = z; FloatVector c22 = z; FloatVector c23 = z;
        FloatVector c30 = z; FloatVector c31 = z; FloatVector c32 = z; FloatVector c33 = z;
        for (int k = 0, bk = bo; k < kk; k++, bk += 12 * L) {
            int p = base + kOff[k];
            FloatVector b00 = FloatVector.fromArray(F, b, bk + 0 * L);
            FloatVector b01 = FloatVector.fromArray(F, b, bk + 1 * L);
            FloatVector b02 = FloatVector.fromArray(F, b, bk + 2 * L);
            FloatVector b03 = FloatVector.fromArray(F, b, bk + 3 * L);
            FloatVector b10 = FloatVector.fromArray(F, b, bk + 4 * L);
            FloatVector b11 = FloatVector.fromArray(F, b, bk + 5 * L);
            FloatVector b12 = FloatVector.fromArray(F, b, bk + 6 * L);
            FloatVector b13 = FloatVector.fromArray(F, b, bk + 7 * L);
            FloatVector b20 = FloatVector.fromArray(F, b, bk + 8 * L);
            FloatVector b21 = FloatVector.fromArray(F, b, bk + 9 * L);
            FloatVector b22 = FloatVector.fromArray(F, b, bk + 10 * L);
            FloatVector b23 = FloatVector.fromArray(F, b, bk + 11 * L);
            FloatVector x;
            x = FloatVector.broadcast(F, a[p]);
            c00 = x.fma(b00, c00); c01 = x.fma(b01, c01); c02 = x.fma(b02, c02); c03 = x.fma(b03, c03);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c10 = x.fma(b00, c10); c11 = x.fma(b01, c11); c12 = x.fma(b02, c12); c13 = x.fma(b03, c13); c00 = x.fma(b10, c00); c01 = x.fma(b11, c01); c02 = x.fma(b12, c02); c03 = x.fma(b13, c03);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c20 = x.fma(b00, c20); c21 = x.fma(b01, c21); c22 = x.fma(b02, c22); c23 = x.fma(b03, c23); c10 = x.fma(b10, c10); c11 = x.fma(b11, c11); c12 = x.fma(b12, c12); c13 = x.fma(b13, c13); c00 = x.fma(b20, c00); c01 = x.fma(b21, c01); c02 = x.fma(b22, c02); c03 = x.fma(b23, c03);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c30 = x.fma(b00, c30); c31 = x.fma(b01, c31); c32 = x.fma(b02, c32); c33 = x.fma(b03, c33); c20 = x.fma(b10, c20); c21 = x.fma(b11, c21); c22 = x.fma(b12, c22); c23 = x.fma(b13, c23); c10 = x.fma(b20, c10); c11 = x.fma(b21, c11); c12 = x.fma(b22, c12); c13 = x.fma(b23, c13);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c30 = x.fma(b10, c30); c31 = x.fma(b11, c31); c32 = x.fma(b12, c32); c33 = x.fma(b13, c33); c20 = x.fma(b20, c20); c21 = x.fma(b21, c21); c22 = x.fma(b22, c22); c23 = x.fma(b23, c23);
            p += cin; x = FloatVector.broadcast(F, a[p]);
            c30 = x.fma(b20, c30); c31 = x.fma(b21, c31); c32 = x.fma(b22, c32); c33 = x.fma(b23, c33);
        }
        c00.intoArray(c, co + 0 * ldc + 0 * L); c01.intoArray(c, co + 0 * ldc + 1 * L); c02.intoArray(c, co + 0 * ldc + 2 * L); c03.intoArray(c, co + 0 * ldc + 3 * L);
        c10.intoArray(c, co + 1 * ldc + 0 * L); c11.intoArray(c, co + 1 * ldc + 1 * L); c12.intoArray(c, co + 1 * ldc + 2 * L); c13.intoArray(c, co + 1 * ldc + 3 * L);
        c20.intoArray(c, co + 2 * ldc + 0 * L); c21.intoArray(c, co + 2 * ldc + 1 * L); c22.intoArray(c, co + 2 * ldc + 2 * L); c23.intoArray(c, co + 2 * ldc + 3 * L);
        c30.intoArray(c, co + 3 * ldc + 0 * L); c31.intoArray(c, co + 3 * ldc + 1 * L); c32.intoArray(c, co + 3 * ldc + 2 * L); c33.intoArray(c, co + 3 * ldc + 3 * L);
    }

    /**
     * As {@link #wt8x2} for 4 output channels and 4 adjacent column vectors (the x loads at
     * {@code xo + v*L}: one index, and C2 keeps two of the four range checks; with an offset per
     * vector each load needs its own index register and check, ~5 instructions per FMA).
     */
    static void wt4x4L(float[] x, int[] pix, int m0, int m1, int xo,
                      float[] d, int dOff, int ldd, int co, float[] p, int po, int ldp) {
        int o0 = po + 0 * ldp;
        int o1 = po + 1 * ldp;
        int o2 = po + 2 * ldp;
        int o3 = po + 3 * ldp;
        FloatVector c00 = FloatVector.fromArray(F, p, o0 + 0 * L); FloatVector c01 = FloatVector.fromArray(F, p, o0 + 1 * L); FloatVector c02 = FloatVector.fromArray(F, p, o0 + 2 * L); FloatVector c03 = FloatVector.fromArray(F, p, o0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(F, p, o1 + 0 * L); FloatVector c11 = FloatVector.fromArray(F, p, o1 + 1 * L); FloatVector c12 = FloatVector.fromArray(F, p, o1 + 2 * L); FloatVector c13 = FloatVector.fromArray(F, p, o1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(F, p, o2 + 0 * L); FloatVector c21 = FloatVector.fromArray(F, p, o2 + 1 * L); FloatVector c22 = FloatVector.fromArray(F, p, o2 + 2 * L); FloatVector c23 = FloatVector.fromArray(F, p, o2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(F, p, o3 + 0 * L); FloatVector c31 = FloatVector.fromArray(F, p, o3 + 1 * L); FloatVector c32 = FloatVector.fromArray(F, p, o3 + 2 * L); FloatVector c33 = FloatVector.fromArray(F, p, o3 + 3 * L);
        for (int m = m0, db = dOff + m0 * ldd + co; m < m1; m++, db += ldd) {
            int xb = pix[m - m0] + xo;
            FloatVector b0 = FloatVector.fromArray(F, x, xb + 0 * L);
            FloatVector b1 = FloatVector.fromArray(F, x, xb + 1 * L);
            FloatVector b2 = FloatVector.fromArray(F, x, xb + 2 * L);
            FloatVector b3 = FloatVector.fromArray(F, x, xb + 3 * L);
            FloatVector v;
            v = FloatVector.broadcast(F, d[db + 0]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01); c02 = v.fma(b2, c02); c03 = v.fma(b3, c03);
            v = FloatVector.broadcast(F, d[db + 1]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11); c12 = v.fma(b2, c12); c13 = v.fma(b3, c13);
            v = FloatVector.broadcast(F, d[db + 2]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21); c22 = v.fma(b2, c22); c23 = v.fma(b3, c23);
            v = FloatVector.broadcast(F, d[db + 3]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31); c32 = v.fma(b2, c32); c33 = v.fma(b3, c33);
        }
        c00.intoArray(p, o0 + 0 * L); c01.intoArray(p, o0 + 1 * L); c02.intoArray(p, o0 + 2 * L); c03.intoArray(p, o0 + 3 * L);
        c10.intoArray(p, o1 + 0 * L); c11.intoArray(p, o1 + 1 * L); c12.intoArray(p, o1 + 2 * L); c13.intoArray(p, o1 + 3 * L);
        c20.intoArray(p, o2 + 0 * L); c21.intoArray(p, o2 + 1 * L); c22.intoArray(p, o2 + 2 * L); c23.intoArray(p, o2 + 3 * L);
        c30.intoArray(p, o3 + 0 * L); c31.intoArray(p, o3 + 1 * L); c32.intoArray(p, o3 + 2 * L); c33.intoArray(p, o3 + 3 * L);
    }

    /**
     * As {@link #wt4x3L} for 8 output channels of a layer with L output channels, over a run of
     * {@code count} adjacent pixels ({@code x[xb + m*L ..]}, {@code d[db + m*L ..]}): 24
     * accumulators, and indices linear in m with constant strides, so C2 hoists every range check
     * and needs no per-pixel offsets (with wt4x3L's offset table, 8 rows ran out of general
     * registers in some launches and spilled accumulators: 2x slower). 28 vector registers:
     * AVX-512 only ({@link #WIDE_REGISTERS}). Same FMAs in the same order per element of P as
     * {@link #wt4x3L}: bit-identical.
     */
    static void wt8x3L(float[] x, int xb, float[] d, int db, int count, float[] p, int po, int ldp) {
        int o0 = po + 0 * ldp;
        int o1 = po + 1 * ldp;
        int o2 = po + 2 * ldp;
        int o3 = po + 3 * ldp;
        int o4 = po + 4 * ldp;
        int o5 = po + 5 * ldp;
        int o6 = po + 6 * ldp;
        int o7 = po + 7 * ldp;
        FloatVector c00 = FloatVector.fromArray(F, p, o0 + 0 * L); FloatVector c01 = FloatVector.fromArray(F, p, o0 + 1 * L); FloatVector c02 = FloatVector.fromArray(F, p, o0 + 2 * L);
        FloatVector c10 = FloatVector.fromArray(F, p, o1 + 0 * L); FloatVector c11 = FloatVector.fromArray(F, p, o1 + 1 * L); FloatVector c12 = FloatVector.fromArray(F, p, o1 + 2 * L);
        FloatVector c20 = FloatVector.fromArray(F, p, o2 + 0 * L); FloatVector c21 = FloatVector.fromArray(F, p, o2 + 1 * L); FloatVector c22 = FloatVector.fromArray(F, p, o2 + 2 * L);
        FloatVector c30 = FloatVector.fromArray(F, p, o3 + 0 * L); FloatVector c31 = FloatVector.fromArray(F, p, o3 + 1 * L); FloatVector c32 = FloatVector.fromArray(F, p, o3 + 2 * L);
        FloatVector c40 = FloatVector.fromArray(F, p, o4 + 0 * L); FloatVector c41 = FloatVector.fromArray(F, p, o4 + 1 * L); FloatVector c42 = FloatVector.fromArray(F, p, o4 + 2 * L);
        FloatVector c50 = FloatVector.fromArray(F, p, o5 + 0 * L); FloatVector c51 = FloatVector.fromArray(F, p, o5 + 1 * L); FloatVector c52 = FloatVector.fromArray(F, p, o5 + 2 * L);
        FloatVector c60 = FloatVector.fromArray(F, p, o6 + 0 * L); FloatVector c61 = FloatVector.fromArray(F, p, o6 + 1 * L); FloatVector c62 = FloatVector.fromArray(F, p, o6 + 2 * L);
        FloatVector c70 = FloatVector.fromArray(F, p, o7 + 0 * L); FloatVector c71 = FloatVector.fromArray(F, p, o7 + 1 * L); FloatVector c72 = FloatVector.fromArray(F, p, o7 + 2 * L);
        for (int m = 0; m < count; m++) {
            int xm = xb + m * L, dm = db + m * L;
            FloatVector b0 = FloatVector.fromArray(F, x, xm + 0 * L);
            FloatVector b1 = FloatVector.fromArray(F, x, xm + 1 * L);
            FloatVector b2 = FloatVector.fromArray(F, x, xm + 2 * L);
            FloatVector v;
            v = FloatVector.broadcast(F, d[dm + 0]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01); c02 = v.fma(b2, c02);
            v = FloatVector.broadcast(F, d[dm + 1]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11); c12 = v.fma(b2, c12);
            v = FloatVector.broadcast(F, d[dm + 2]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21); c22 = v.fma(b2, c22);
            v = FloatVector.broadcast(F, d[dm + 3]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31); c32 = v.fma(b2, c32);
            v = FloatVector.broadcast(F, d[dm + 4]); c40 = v.fma(b0, c40); c41 = v.fma(b1, c41); c42 = v.fma(b2, c42);
            v = FloatVector.broadcast(F, d[dm + 5]); c50 = v.fma(b0, c50); c51 = v.fma(b1, c51); c52 = v.fma(b2, c52);
            v = FloatVector.broadcast(F, d[dm + 6]); c60 = v.fma(b0, c60); c61 = v.fma(b1, c61); c62 = v.fma(b2, c62);
            v = FloatVector.broadcast(F, d[dm + 7]); c70 = v.fma(b0, c70); c71 = v.fma(b1, c71); c72 = v.fma(b2, c72);
        }
        c00.intoArray(p, o0 + 0 * L); c01.intoArray(p, o0 + 1 * L); c02.intoArray(p, o0 + 2 * L);
        c10.intoArray(p, o1 + 0 * L); c11.intoArray(p, o1 + 1 * L); c12.intoArray(p, o1 + 2 * L);
        c20.intoArray(p, o2 + 0 * L); c21.intoArray(p, o2 + 1 * L); c22.intoArray(p, o2 + 2 * L);
        c30.intoArray(p, o3 + 0 * L); c31.intoArray(p, o3 + 1 * L); c32.intoArray(p, o3 + 2 * L);
        c40.intoArray(p, o4 + 0 * L); c41.intoArray(p, o4 + 1 * L); c42.intoArray(p, o4 + 2 * L);
        c50.intoArray(p, o5 + 0 * L); c51.intoArray(p, o5 + 1 * L); c52.intoArray(p, o5 + 2 * L);
        c60.intoArray(p, o6 + 0 * L); c61.intoArray(p, o6 + 1 * L); c62.intoArray(p, o6 + 2 * L);
        c70.intoArray(p, o7 + 0 * L); c71.intoArray(p, o7 + 1 * L); c72.intoArray(p, o7 + 2 * L);
    }

    /** As {@link #wt4x4L} for 3 adjacent column vectors: one kernel row of taps when cin = L. */
    static void wt4x3L(float[] x, int[] pix, int m0, int m1, int xo,
                      float[] d, int dOff, int ldd, int co, float[] p, int po, int ldp) {
        int o0 = po + 0 * ldp;
        int o1 = po + 1 * ldp;
        int o2 = po + 2 * ldp;
        int o3 = po + 3 * ldp;
        FloatVector c00 = FloatVector.fromArray(F, p, o0 + 0 * L); FloatVector c01 = FloatVector.fromArray(F, p, o0 + 1 * L); FloatVector c02 = FloatVector.fromArray(F, p, o0 + 2 * L);
        FloatVector c10 = FloatVector.fromArray(F, p, o1 + 0 * L); FloatVector c11 = FloatVector.fromArray(F, p, o1 + 1 * L); FloatVector c12 = FloatVector.fromArray(F, p, o1 + 2 * L);
        FloatVector c20 = FloatVector.fromArray(F, p, o2 + 0 * L); FloatVector c21 = FloatVector.fromArray(F, p, o2 + 1 * L); FloatVector c22 = FloatVector.fromArray(F, p, o2 + 2 * L);
        FloatVector c30 = FloatVector.fromArray(F, p, o3 + 0 * L); FloatVector c31 = FloatVector.fromArray(F, p, o3 + 1 * L); FloatVector c32 = FloatVector.fromArray(F, p, o3 + 2 * L);
        for (int m = m0, db = dOff + m0 * ldd + co; m < m1; m++, db += ldd) {
            int xb = pix[m - m0] + xo;
            FloatVector b0 = FloatVector.fromArray(F, x, xb + 0 * L);
            FloatVector b1 = FloatVector.fromArray(F, x, xb + 1 * L);
            FloatVector b2 = FloatVector.fromArray(F, x, xb + 2 * L);
            FloatVector v;
            v = FloatVector.broadcast(F, d[db + 0]); c00 = v.fma(b0, c00); c01 = v.fma(b1, c01); c02 = v.fma(b2, c02);
            v = FloatVector.broadcast(F, d[db + 1]); c10 = v.fma(b0, c10); c11 = v.fma(b1, c11); c12 = v.fma(b2, c12);
            v = FloatVector.broadcast(F, d[db + 2]); c20 = v.fma(b0, c20); c21 = v.fma(b1, c21); c22 = v.fma(b2, c22);
            v = FloatVector.broadcast(F, d[db + 3]); c30 = v.fma(b0, c30); c31 = v.fma(b1, c31); c32 = v.fma(b2, c32);
        }
        c00.intoArray(p, o0 + 0 * L); c01.intoArray(p, o0 + 1 * L); c02.intoArray(p, o0 + 2 * L);
        c10.intoArray(p, o1 + 0 * L); c11.intoArray(p, o1 + 1 * L); c12.intoArray(p, o1 + 2 * L);
        c20.intoArray(p, o2 + 0 * L); c21.intoArray(p, o2 + 1 * L); c22.intoArray(p, o2 + 2 * L);
        c30.intoArray(p, o3 + 0 * L); c31.intoArray(p, o3 + 1 * L); c32.intoArray(p, o3 + 2 * L);
    }

}
