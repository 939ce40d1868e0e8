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
        check(false, false, 50, 256, 1200, true, 6);   // packed rows in several k blocks, summed in C
        // B of ShiftedGemm.K_OUTER_B_FLOATS or more: k blocks outermost
        check(false, false, 300, 1024, 1024, true, 5);
    }

    /** The k-block-outer order gives every C element the same k-ordered sum as the tile-outer one, bit for bit. */
    @Test
    void kBlockOuterOrderIsBitIdentical() {
        int m = 100, n = 2048, k = 600;
        Random r = new Random(9);
        float[] a = ConvSimdTest.random(r, m * k), w = ConvSimdTest.random(r, k * n);
        KernelWorkspace ws = new KernelWorkspace();
        ShiftedGemm g = ShiftedGemm.pass(ws, 0);
        g.tapOffsets(1)[0] = 0;
        g.packOffsets(1)[0] = 0;
        g.rows(1, m, 1).a(0, 0, k, 0).c(0, 0, n, 0).k(1, k, n, false);
        assertThat((long) k * n).isGreaterThanOrEqualTo(ShiftedGemm.K_OUTER_B_FLOATS);
        float[] b = new float[g.packedSize()];
        g.packB(w, 0, n, 1, b, 0);
        float[] tileOuter = new float[m * n], kOuter = new float[m * n], want = new float[m * n];
        g.run(a, b, 0, tileOuter, ws.tile(0), 0, m, 0, ShiftedGemm.paddedCols(n), false);
        g.run(a, b, 0, kOuter, ws.tile(0), 0, m, 0, ShiftedGemm.paddedCols(n), true);
        assertThat(kOuter).isEqualTo(tileOuter);
        GemmScalar.gemm(false, false, m, n, k, a, 0, k, w, 0, n, want, 0, n, false);
        assertThat(ConvSimdTest.relErr(kOuter, want)).isLessThan(1e-5);
    }
}
