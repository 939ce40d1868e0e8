package org.jresnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.nn.RandomTensors;
import org.jresnet.engine.TestEngines;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The SIMD convolution agrees with its scalar twin on forward, backwardData and backwardWeights. */
@Tag("smoke")
class ConvSimdTest {
    private static final double TOL = 1e-5;

    @AfterEach
    void restoreThreads() { TestEngines.reset(); }

    /** Normwise relative error ||got - want|| / max(||want||, tiny). */
    static double relErr(float[] got, float[] want) {
        double num = 0, den = 0;
        for (int i = 0; i < want.length; i++) {
            double d = (double) got[i] - want[i];
            num += d * d;
            den += (double) want[i] * want[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
    }

    static float[] random(Random r, int n) { return RandomTensors.gaussian(r, n); }

    /** Runs all three kernels on both paths with arrays embedded at an offset; checks contracts too. */
    static void check(ConvShape s, long seed) {
        Random r = new Random(seed);
        int off = 5;
        float[] x = random(r, s.inputSize() + off), w = random(r, s.weightSize() + off);
        float[] dy = random(r, s.outputSize() + off), dw0 = random(r, s.weightSize() + off);
        String what = s.toString();

        float[] yS = random(r, s.outputSize() + off), yV = yS.clone();
        ConvScalar.forward(s, x, off, w, off, yS, off);
        ConvSimd.forward(s, x, off, w, off, yV, off);
        assertThat(relErr(yV, yS)).as("forward " + what).isLessThan(TOL);
        assertThat(Arrays.copyOf(yV, off)).as("forward writes outside y " + what).isEqualTo(Arrays.copyOf(yS, off));

        float[] dxS = random(r, s.inputSize() + off), dxV = dxS.clone();
        ConvScalar.backwardData(s, dy, off, w, off, dxS, off);
        ConvSimd.backwardData(s, dy, off, w, off, dxV, off);
        assertThat(relErr(dxV, dxS)).as("backwardData " + what).isLessThan(TOL);

        float[] dwS = dw0.clone(), dwV = dw0.clone();
        ConvScalar.backwardWeights(s, x, off, dy, off, dwS, off);
        ConvSimd.backwardWeights(s, x, off, dy, off, dwV, off);
        // compare the increments so the accumulated start value does not hide errors
        float[] incS = new float[dwS.length], incV = new float[dwS.length];
        for (int i = 0; i < dwS.length; i++) {
            incS[i] = dwS[i] - dw0[i];
            incV[i] = dwV[i] - dw0[i];
        }
        assertThat(relErr(incV, incS)).as("backwardWeights " + what).isLessThan(10 * TOL);
        assertThat(relErr(dwV, dwS)).as("backwardWeights accumulates " + what).isLessThan(TOL);
    }

    @Test
    void resnetShapes() {
        check(new ConvShape(2, 8, 8, 16, 16, 3, 3, 1, 1), 1);
        check(new ConvShape(2, 8, 8, 16, 32, 3, 3, 2, 1), 2);
        check(new ConvShape(1, 6, 6, 64, 64, 3, 3, 1, 1), 3);
        check(new ConvShape(2, 5, 5, 64, 256, 1, 1, 1, 0), 4);
        check(new ConvShape(2, 6, 6, 64, 128, 1, 1, 2, 0), 5);
        check(new ConvShape(1, 15, 15, 3, 64, 7, 7, 2, 3), 6);
        // the stem's 4-row kernel on 49 rows (a tile's last block partial) and a 4L + L panel pair
        check(new ConvShape(1, 13, 13, 3, 80, 7, 7, 2, 3), 18);
        check(new ConvShape(1, 9, 9, 3, 16, 3, 3, 1, 1), 7);
        check(new ConvShape(1, 4, 4, 48, 48, 3, 3, 1, 1), 8);
        // row-direct kernels (stride 1, 3 wide, 16/32 channels, output width a multiple of 8)
        check(new ConvShape(2, 8, 8, 16, 32, 3, 3, 1, 1), 9);
        check(new ConvShape(1, 3, 16, 32, 32, 3, 3, 1, 1), 10);
        check(new ConvShape(1, 5, 10, 7, 16, 3, 3, 1, 0), 11);
        check(new ConvShape(1, 5, 8, 32, 16, 3, 3, 1, 0), 12);
        check(new ConvShape(1, 4, 8, 16, 5, 3, 3, 1, 2), 13);
        check(new ConvShape(1, 4, 8, 64, 64, 3, 3, 1, 1), 14);
        check(new ConvShape(2, 5, 4, 16, 128, 3, 3, 1, 1), 15);
        check(new ConvShape(1, 4, 4, 64, 16, 3, 3, 1, 1), 16);
        // cin = cout = L at 256 bits (the L-channel row-direct and weight-gradient kernels there)
        check(new ConvShape(2, 4, 8, 8, 8, 3, 3, 1, 1), 17);
    }

    @Test
    void randomOddShapes() {
        Random r = new Random(42);
        int[] ks = {1, 3, 7};
        for (int t = 0; t < 60; t++) {
            int k = ks[r.nextInt(3)], stride = 1 + r.nextInt(2), pad = r.nextInt(4);
            int h = 1 + r.nextInt(9), w = 1 + r.nextInt(9);
            if (h + 2 * pad < k || w + 2 * pad < k) continue;
            ConvShape s = new ConvShape(1 + r.nextInt(3), h, w, 1 + r.nextInt(70), 1 + r.nextInt(70), k, k, stride, pad);
            check(s, t);
        }
    }

    @Test
    void threeThreadsAndBitIdenticalRepeats() {
        TestEngines.use(c -> c.withThreads(3));
        ConvShape s = new ConvShape(3, 7, 7, 20, 37, 3, 3, 2, 1);
        check(s, 11);
        Random r = new Random(3);
        float[] x = random(r, s.inputSize()), dy = random(r, s.outputSize());
        float[] a = new float[s.weightSize()], b = new float[s.weightSize()];
        ConvSimd.backwardWeights(s, x, 0, dy, 0, a, 0);
        ConvSimd.backwardWeights(s, x, 0, dy, 0, b, 0);
        assertThat(b).isEqualTo(a);
    }
}
