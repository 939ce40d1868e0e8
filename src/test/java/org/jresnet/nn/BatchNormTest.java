package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.jresnet.engine.TestEngines;
import java.util.SplittableRandom;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** BN statistics against a hand computation in double: PyTorch's update rule. */
class BatchNormTest {
    @AfterEach void restore() { TestEngines.reset(); }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void runningStatisticsFollowPyTorch(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        int n = 3, h = 4, w = 5, c = 21, rows = n * h * w;
        BatchNorm2d bn = new BatchNorm2d(c);
        SplittableRandom rng = new SplittableRandom(1);
        Init.uniform(bn.weight.value(), 2, rng);
        Init.uniform(bn.bias.value(), 1, rng);
        double[] rm = new double[c], rv = new double[c];
        java.util.Arrays.fill(rv, 1);
        for (int step = 1; step <= 3; step++) {
            Tensor x = RandomTensors.gaussian(rng, n, h, w, c);
            for (int i = 0; i < x.size(); i++) x.set(i, x.get(i) * 3 + 5);  // off-centre: exercises the two-pass variance
            Tensor y = bn.forward(x);
            for (int ch = 0; ch < c; ch++) {
                double mean = 0, ss = 0;
                for (int r = 0; r < rows; r++) mean += x.get(r * c + ch);
                mean /= rows;
                for (int r = 0; r < rows; r++) ss += Math.pow(x.get(r * c + ch) - mean, 2);
                double biased = ss / rows, unbiased = ss / (rows - 1);
                rm[ch] = 0.9 * rm[ch] + 0.1 * mean;
                rv[ch] = 0.9 * rv[ch] + 0.1 * unbiased;
                assertThat((double) bn.runningMean.value().get(ch)).isCloseTo(rm[ch], within(1e-5 * Math.abs(rm[ch]) + 1e-6));
                assertThat((double) bn.runningVar.value().get(ch)).isCloseTo(rv[ch], within(1e-5 * rv[ch]));
                double g = bn.weight.value().get(ch), b = bn.bias.value().get(ch);
                for (int r = 0; r < rows; r += 7) {
                    double expect = g * (x.get(r * c + ch) - mean) / Math.sqrt(biased + 1e-5) + b;
                    assertThat((double) y.get(r * c + ch)).isCloseTo(expect, within(1e-4));
                }
            }
            assertThat(bn.numBatchesTracked.value().get(0)).isEqualTo((float) step);
        }
        // Eval mode: the running statistics, and no update.
        bn.setTraining(false);
        Tensor x = RandomTensors.gaussian(rng, 1, 2, 2, c);
        Tensor y = bn.forward(x);
        for (int ch = 0; ch < c; ch++) {
            double expect = bn.weight.value().get(ch) * (x.get(ch) - rm[ch]) / Math.sqrt(rv[ch] + 1e-5) + bn.bias.value().get(ch);
            assertThat((double) y.get(ch)).isCloseTo(expect, within(1e-4));
        }
        assertThat(bn.numBatchesTracked.value().get(0)).isEqualTo(3f);
    }
}
