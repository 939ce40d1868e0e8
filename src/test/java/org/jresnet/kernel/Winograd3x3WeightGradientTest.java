package org.jresnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jresnet.kernel.Winograd3x3Test.maxRelErr;
import static org.jresnet.kernel.Winograd3x3Test.random;

import org.jresnet.engine.TestEngines;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The Winograd F(2x2, 3x3) weight gradient agrees with the scalar direct one and accumulates into dw. */
@Tag("smoke")
class Winograd3x3WeightGradientTest {
    /** F(2,3)'s weight-gradient transforms are well conditioned: a few float roundings of max|dw|. */
    private static final double TOL = 2e-5;

    @AfterEach
    void restore() {
        TestEngines.reset();
    }

    /** dw += grad through Winograd3x3 itself and through ConvSimd, vs ConvScalar, into a non-zero dw. */
    static void check(int n, int h, int w, int cin, int cout, long seed) {
        ConvShape s = new ConvShape(n, h, w, cin, cout, 3, 3, 1, 1);
        assertThat(Winograd3x3.applies(s)).as("Winograd applies to " + s).isTrue();
        Random r = new Random(seed);
        int off = 5;
        float[] x = random(r, s.inputSize() + off), dy = random(r, s.outputSize() + off);
        float[] dwS = random(r, s.weightSize() + 2 * off), dwW = dwS.clone(), dwC = dwS.clone();
        ConvScalar.backwardWeights(s, x, off, dy, off, dwS, off);
        Winograd3x3WeightGradient.backwardWeights(s, x, off, dy, off, dwW, off, KernelWorkspace.forThisThread());
        assertThat(maxRelErr(dwW, dwS, off, s.weightSize())).as("backwardWeights " + s).isLessThan(TOL);
        for (int i = 0; i < off; i++) {
            assertThat(dwW[i]).as("writes before dw").isEqualTo(dwS[i]);
            assertThat(dwW[dwW.length - 1 - i]).as("writes after dw").isEqualTo(dwS[dwS.length - 1 - i]);
        }
        ConvSimd.backwardWeights(s, x, off, dy, off, dwC, off);
        assertThat(maxRelErr(dwC, dwS, off, s.weightSize())).as("ConvSimd.backwardWeights " + s).isLessThan(TOL);
    }

    @Test
    void evenAndOddShapes() {
        int l = MicroKernel.L;
        check(1, 4, 4, l, l, 1);
        check(3, 5, 7, l, l, 2);
        check(1, 7, 5, 2 * l, l, 3);
        check(3, 6, 9, l, 2 * l, 4);
        check(1, 1, 1, 3 * l, 2 * l, 5);
        check(3, 8, 8, 2 * l, 2 * l, 6);
        check(1, 3, 10, 4 * l, 4 * l, 7);
        check(3, 5, 5, 3 * l, 4 * l, 8);
        check(1, 6, 7, 4 * l, 3 * l, 9);
    }

    @Test
    void manyBlocksPerThread() {
        // more tiles than one block, so several blocks, a partial last one and the thread split all occur
        int l = MicroKernel.L;
        check(3, 27, 25, l, l, 10);
        check(3, 37, 35, 4 * l, 2 * l, 11);
    }

    @Test
    void sameThreadCountIsBitIdentical() {
        int l = MicroKernel.L;
        ConvShape s = new ConvShape(3, 19, 17, 2 * l, 2 * l, 3, 3, 1, 1);
        assertThat(Winograd3x3.preferredForWeights(s)).isTrue();
        Random r = new Random(12);
        float[] x = random(r, s.inputSize()), dy = random(r, s.outputSize());
        for (int threads : new int[] {1, 2}) {
            TestEngines.use(c -> c.withThreads(threads));
            float[] a = new float[s.weightSize()], b = new float[s.weightSize()];
            ConvSimd.backwardWeights(s, x, 0, dy, 0, a, 0);
            ConvSimd.backwardWeights(s, x, 0, dy, 0, b, 0);
            assertThat(b).as(threads + " threads").isEqualTo(a);
        }
        float[] one = new float[s.weightSize()], two = new float[s.weightSize()];
        TestEngines.use(c -> c.withThreads(1));
        ConvSimd.backwardWeights(s, x, 0, dy, 0, one, 0);
        TestEngines.use(c -> c.withThreads(2));
        ConvSimd.backwardWeights(s, x, 0, dy, 0, two, 0);
        assertThat(maxRelErr(two, one, 0, one.length)).as("1 vs 2 threads").isLessThan(TOL);
    }

    @Test
    void oneVectorOfChannelsKeepsTheDirectPath() {
        int l = MicroKernel.L;
        assertThat(Winograd3x3.preferredForWeights(new ConvShape(1, 8, 8, l, l, 3, 3, 1, 1))).isFalse();
        assertThat(Winograd3x3.preferredForWeights(new ConvShape(1, 8, 8, 2 * l, 2 * l, 3, 3, 2, 1))).isFalse();
        assertThat(Winograd3x3.preferredForWeights(new ConvShape(1, 8, 8, 2 * l, 2 * l, 1, 1, 1, 0))).isFalse();
    }

    @Test
    void switchKeepsTheDirectPath() {
        int l = MicroKernel.L;
        ConvShape s = new ConvShape(2, 9, 6, 2 * l, 4 * l, 3, 3, 1, 1);
        assertThat(Winograd3x3.preferredForWeights(s)).isTrue();
        Random r = new Random(13);
        float[] x = random(r, s.inputSize()), dy = random(r, s.outputSize());
        float[] dwW = new float[s.weightSize()], dwD = new float[s.weightSize()];
        ConvSimd.backwardWeights(s, x, 0, dy, 0, dwW, 0);
        TestEngines.use(c -> c.withWinogradWeightGradient(false));
        assertThat(Winograd3x3.preferredForWeights(s)).isFalse();
        ConvSimd.backwardWeights(s, x, 0, dy, 0, dwD, 0);
        assertThat(maxRelErr(dwW, dwD, 0, dwW.length)).isLessThan(TOL).isGreaterThan(0);
        TestEngines.use(c -> c.withWinogradWeightGradient(true));
        TestEngines.use(c -> c.withWinograd(false));
        assertThat(Winograd3x3.preferredForWeights(s)).isFalse();
    }
}
