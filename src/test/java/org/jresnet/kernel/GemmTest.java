package org.jresnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SIMD GEMM agrees with its scalar twin for every transpose, odd sizes and leading dims. */
class GemmTest {
    static void check(boolean ta, boolean tb, int m, int n, int k, boolean acc, long seed) {
        Random r = new Random(seed);
        int ao = 3, bo = 1, co = 2, lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
        float[] a = ConvSimdTest.random(r, ao + (ta ? k : m) * lda);
        float[] b = ConvSimdTest.random(r, bo + (tb ? n : k) * ldb);
        float[] cS = ConvSimdTest.random(r, co + m * ldc), cV = cS.clone();
        GemmScalar.gemm(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, cS, co, ldc, acc);
        Gemm.gemm(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, cV, co, ldc, acc);
        assertThat(ConvSimdTest.relErr(cV, cS)).as("gemm ta=%s tb=%s %dx%dx%d acc=%s", ta, tb, m, n, k, acc)
                .isLessThan(1e-5);
    }

    @Test
    void agreesWithScalar() {
        Random r = new Random(7);
        for (int t = 0; t < 40; t++) {
            int m = 1 + r.nextInt(70), n = 1 + r.nextInt(80), k = r.nextInt(90);
            check(r.nextBoolean(), r.nextBoolean(), m, n, k, r.nextBoolean(), t);
        }
        check(false, false, 100, 64, 300, false, 1);
        check(false, true, 128, 10, 64, true, 2);
        check(true, false, 10, 64, 128, true, 3);
        check(false, false, 30, 32, 9000, false, 4);
    }
}
