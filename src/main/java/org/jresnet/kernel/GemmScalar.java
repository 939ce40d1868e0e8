package org.jresnet.kernel;

import org.jresnet.engine.Engine;

/** Plain-loop twin of {@link Gemm}: same arguments, same contract, the reference in tests. */
public final class GemmScalar {
    private GemmScalar() {}

    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int ao, int lda, float[] b, int bo, int ldb,
                            float[] c, int co, int ldc, boolean accumulate) {
        checkArgs(m, n, k);
        Engine.current().parallel().forRange(m, (chunk, i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                for (int j = 0; j < n; j++) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[ao + p * lda + i] : a[ao + i * lda + p];
                        float bv = transB ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                        sum += av * bv;
                    }
                    int o = co + i * ldc + j;
                    c[o] = accumulate ? c[o] + sum : sum;
                }
            }
        });
    }

    static void checkArgs(int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative GEMM size m=" + m + " n=" + n + " k=" + k);
        }
    }
}
