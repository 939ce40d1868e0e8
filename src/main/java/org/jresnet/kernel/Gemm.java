package org.jresnet.kernel;

import static org.jresnet.kernel.MicroKernel.MR_LCM;

import java.util.Arrays;
import org.jresnet.engine.Engine;

/**
 * General matrix product on the Vector API: C[M,N] (+)= op(A)[M,K] · op(B)[K,N], row-major with
 * offsets and leading dimensions; op is identity or transpose. Scalar twin: {@link GemmScalar}.
 *
 * <p>B is packed into register-width panels; A rows are read in place (a transposed A is first
 * copied row-major). Rows are split across the engine's threads; every C element is summed by
 * one thread in a fixed order, so results do not depend on the thread count.
 */
public final class Gemm {
    private Gemm() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int ao, int lda, float[] b, int bo, int ldb,
                            float[] c, int co, int ldc, boolean accumulate) {
        gemm(transA, transB, m, n, k, a, ao, lda, b, bo, ldb, c, co, ldc, accumulate,
                KernelWorkspace.forThisThread());
    }

    /**
     * A[i,p] = a[ao + i*lda + p] (transA: a[ao + p*lda + i]); B[p,j] = b[bo + p*ldb + j]
     * (transB: b[bo + j*ldb + p]); C[i,j] = c[co + i*ldc + j], overwritten unless accumulate.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int ao, int lda, float[] b, int bo, int ldb,
                            float[] c, int co, int ldc, boolean accumulate, KernelWorkspace ws) {
        GemmScalar.checkArgs(m, n, k);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) Arrays.fill(c, co + i * ldc, co + i * ldc + n, 0f);
            return;
        }
        float[] ar = a;
        int arOff = ao, arLd = lda;
        if (transA) {
            ar = ws.floats(KernelWorkspace.PACKED_A, m * k);
            float[] src = a, dst = ar;
            Engine.current().parallel().forRange(m, (chunk, i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    for (int p = 0; p < k; p++) dst[i * k + p] = src[ao + p * lda + i];
                }
            });
            arOff = 0;
            arLd = k;
        }
        // one tap: C rows are A's rows i (lda apart), B[p, j] packed from b
        ShiftedGemm g = ShiftedGemm.pass(ws, 0)
                .rows(1, m, 1)
                .a(arOff, 0, arLd, 0)
                .c(co, 0, ldc, 0)
                .oneTap(k, n, accumulate);
        float[] packed = ws.floats(KernelWorkspace.PACKED_B, g.packedSize());
        g.packB(b, bo, transB ? 1 : ldb, transB ? ldb : 1, packed, 0);
        g.runParallel(ar, packed, 0, c, ws);
    }
}
