package org.jresnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.engine.TestEngines;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Winograd F(2x2, 3x3) agrees with the scalar direct convolution, edge tiles included. */
@Tag("smoke")
class Winograd3x3Test {
    /** F(2,3) is well conditioned: errors are a few float roundings of max|y|. */
    private static final double TOL = 2e-5;

    @AfterEach
    void restore() {
        TestEngines.reset();
    }

    static float[] random(Random r, int n) { return ConvSimdTest.random(r, n); }

    /** max |got - want| / max |want| over the window [off, off + n). */
    static double maxRelErr(float[] got, float[] want, int off, int n) {
        double num = 0, den = 0;
        for (int i = off; i < off + n; i++) {
            num = Math.max(num, Math.abs((double) got[i] - want[i]));
            den = Math.max(den, Math.abs(want[i]));
        }
        return num / Math.max(den, 1e-30);
    }

    /**
     * Forward (Winograd3x3 itself) and stride-1 backwardData through ConvSimd (Winograd where it
     * is preferred for the flipped shape) vs ConvScalar.
     */
    static void check(int n, int h, int w, int cin, int cout, long seed) {
        ConvShape s = new ConvShape(n, h, w, cin, cout, 3, 3, 1, 1);
        assertThat(Winograd3x3.applies(s)).as("Winograd applies to " + s).isTrue();
        Random r = new Random(seed);
        int off = 7;
        float[] x = random(r, s.inputSize() + off), wt = random(r, s.weightSize() + off);
        float[] dy = random(r, s.outputSize() + off);

        float[] yS = random(r, s.outputSize() + 2 * off), yW = yS.clone();
        ConvScalar.forward(s, x, off, wt, off, yS, off);
        Winograd3x3.forward(s, x, off, wt, off, yW, off, KernelWorkspace.forThisThread());
        assertThat(maxRelErr(yW, yS, off, s.outputSize())).as("forward " + s).isLessThan(TOL);
        assertThat(Arrays.copyOf(yW, off)).as("writes before y " + s).isEqualTo(Arrays.copyOf(yS, off));
        assertThat(Arrays.copyOfRange(yW, off + s.outputSize(), yW.length)).as("writes after y " + s)
                .isEqualTo(Arrays.copyOfRange(yS, off + s.outputSize(), yS.length));

        float[] yC = yS.clone();
        ConvSimd.forward(s, x, off, wt, off, yC, off);
        assertThat(maxRelErr(yC, yS, off, s.outputSize())).as("ConvSimd.forward " + s).isLessThan(TOL);

        float[] dxS = random(r, s.inputSize() + off), dxW = dxS.clone();
        ConvScalar.backwardData(s, dy, off, wt, off, dxS, off);
        ConvSimd.backwardData(s, dy, off, wt, off, dxW, off);
        assertThat(maxRelErr(dxW, dxS, off, s.inputSize())).as("backwardData " + s).isLessThan(TOL);
    }

    @Test
    void evenAndOddShapes() {
        int l = MicroKernel.L;
        check(1, 4, 4, l, l, 1);
        check(3, 5, 7, l, l, 2);
        check(1, 7, 5, 2 * l, l, 3);
        check(3, 6, 9, l, 3 * l, 4);
        check(1, 1, 1, 3 * l, 2 * l, 5);
        check(3, 8, 8, 2 * l, 2 * l, 6);
        check(1, 3, 10, 4 * l, 4 * l, 7);
        check(1, 5, 5, 8 * l, 4 * l, 8);
    }

    @Test
    void manyBlocksPerThread() {
        // more tiles than one block, so blocks, their last partial block and the thread split all occur
        int l = MicroKernel.L;
        check(3, 17, 15, l, 2 * l, 9);
        check(2, 13, 11, 4 * l, l, 10);
    }

    @Test
    void sameAsDirectPathWithinRounding() {
        int l = MicroKernel.L;
        ConvShape s = new ConvShape(2, 9, 6, 2 * l, 4 * l, 3, 3, 1, 1);
        Random r = new Random(11);
        float[] x = random(r, s.inputSize()), wt = random(r, s.weightSize());
        float[] yW = new float[s.outputSize()], yD = new float[s.outputSize()];
        ConvSimd.forward(s, x, 0, wt, 0, yW, 0);
        TestEngines.use(c -> c.withWinograd(false));
        assertThat(Winograd3x3.preferred(s)).isFalse();
        ConvSimd.forward(s, x, 0, wt, 0, yD, 0);
        assertThat(maxRelErr(yW, yD, 0, yW.length)).isLessThan(TOL).isGreaterThan(0);
    }

    @Test
    void sameThreadCountIsBitIdenticalAndThreadCountDoesNotMatter() {
        int l = MicroKernel.L;
        ConvShape s = new ConvShape(3, 19, 17, l, 2 * l, 3, 3, 1, 1);
        Random r = new Random(12);
        float[] x = random(r, s.inputSize()), wt = random(r, s.weightSize());
        float[] a = new float[s.outputSize()], b = new float[s.outputSize()], c = new float[s.outputSize()];
        TestEngines.use(cfg -> cfg.withThreads(2));
        ConvSimd.forward(s, x, 0, wt, 0, a, 0);
        ConvSimd.forward(s, x, 0, wt, 0, b, 0);
        TestEngines.use(cfg -> cfg.withThreads(1));
        ConvSimd.forward(s, x, 0, wt, 0, c, 0);
        assertThat(b).isEqualTo(a);
        assertThat(c).isEqualTo(a);
    }

    /**
     * Fewer tiles than a block per thread (a batch-1 7x7 layer) split the output panels across
     * threads instead of the tiles: the same numbers as one thread, bit for bit, the epilogue too.
     */
    @Test
    void fewTilesSplitByPanelsLikeOneThread() {
        int l = MicroKernel.L;
        for (ConvShape s : new ConvShape[] {new ConvShape(1, 7, 7, 2 * l, 8 * l, 3, 3, 1, 1),
                new ConvShape(1, 5, 3, l, 12 * l, 3, 3, 1, 1)}) {
            Random r = new Random(14);
            float[] x = random(r, s.inputSize()), wt = random(r, s.weightSize());
            float[] sc = random(r, s.cout()), mu = random(r, s.cout()), sh = random(r, s.cout());
            float[] res = random(r, s.outputSize());
            float[] two = new float[s.outputSize()], one = new float[s.outputSize()], want = new float[s.outputSize()];
            float[] fusedTwo = new float[s.outputSize()], fusedOne = new float[s.outputSize()];
            Epilogue e = new Epilogue(sc, mu, sh, res, 0, true);
            TestEngines.use(cfg -> cfg.withThreads(2));
            ConvSimd.forward(s, x, 0, wt, 0, two, 0);
            ConvSimd.forward(s, x, 0, wt, 0, fusedTwo, 0, KernelWorkspace.forThisThread(), null, e);
            TestEngines.use(cfg -> cfg.withThreads(1));
            ConvSimd.forward(s, x, 0, wt, 0, one, 0);
            ConvSimd.forward(s, x, 0, wt, 0, fusedOne, 0, KernelWorkspace.forThisThread(), null, e);
            ConvScalar.forward(s, x, 0, wt, 0, want, 0);
            assertThat(two).as("2 threads " + s).isEqualTo(one);
            assertThat(fusedTwo).as("fused, 2 threads " + s).isEqualTo(fusedOne);
            assertThat(maxRelErr(two, want, 0, two.length)).as("vs scalar " + s).isLessThan(TOL);
        }
    }

    @Test
    void backwardDataTakesWinogradWhereForwardWould() {
        int l = MicroKernel.L;
        // dx of [cout -> cin] is the forward of a [cin -> cout]-transposed shape: Winograd when cin >= 2L
        assertThat(Winograd3x3.preferred(new ConvShape(1, 5, 7, 2 * l, l, 3, 3, 1, 1))).isFalse();
        assertThat(Winograd3x3.preferred(new ConvShape(1, 5, 7, l, 2 * l, 3, 3, 1, 1))).isTrue();
        check(3, 5, 7, 2 * l, l, 13);
    }

    /**
     * Three threads on this machine's two cores: one is often held up, and the others take over
     * its blocks of tiles or its output panels (Parallel.forUnits); every repeat must still be
     * one thread's numbers, bit for bit.
     */
    @Test
    void unitsTakenOverByAnotherThreadGiveTheSameBits() {
        int l = MicroKernel.L;
        // output panels split (few tiles, 4 panels), then blocks of tiles (864 tiles, several blocks a thread)
        for (ConvShape s : new ConvShape[] {new ConvShape(1, 7, 7, 2 * l, 16 * l, 3, 3, 1, 1),
                new ConvShape(24, 12, 12, 2 * l, 4 * l, 3, 3, 1, 1)}) {
            Random r = new Random(15);
            float[] x = random(r, s.inputSize()), wt = random(r, s.weightSize());
            float[] one = new float[s.outputSize()], three = new float[s.outputSize()];
            TestEngines.use(cfg -> cfg.withThreads(1));
            ConvSimd.forward(s, x, 0, wt, 0, one, 0);
            TestEngines.use(cfg -> cfg.withThreads(3));
            for (int repeat = 0; repeat < 40; repeat++) {
                java.util.Arrays.fill(three, Float.NaN);
                ConvSimd.forward(s, x, 0, wt, 0, three, 0);
                assertThat(three).as("3 threads, repeat %d, %s", repeat, s).isEqualTo(one);
            }
        }
    }

    @Test
    void otherShapesKeepTheDirectPath() {
        int l = MicroKernel.L;
        assertThat(Winograd3x3.applies(new ConvShape(1, 8, 8, l, l, 3, 3, 2, 1))).isFalse();
        assertThat(Winograd3x3.applies(new ConvShape(1, 8, 8, 3, l, 3, 3, 1, 1))).isFalse();
        assertThat(Winograd3x3.applies(new ConvShape(1, 8, 8, l, l, 1, 1, 1, 0))).isFalse();
        assertThat(Winograd3x3.applies(new ConvShape(1, 8, 8, l, l + 1, 3, 3, 1, 1))).isFalse();
        assertThat(Winograd3x3.applies(new ConvShape(1, 8, 8, l, l, 3, 3, 1, 0))).isFalse();
    }
}
