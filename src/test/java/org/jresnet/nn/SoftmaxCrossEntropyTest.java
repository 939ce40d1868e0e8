package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SoftmaxCrossEntropyTest {

    @Test
    void lossValueAndTopOne() {
        Tensor z = Tensor.of(new float[] {1, 2, 3, 0, 0, 0}, 2, 3);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        float loss = ce.forward(z, new int[] {2, 1});
        double l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, l1 = Math.log(3);
        assertThat((double) loss).isCloseTo((l0 + l1) / 2, within(1e-6));
        assertThat(ce.correct()).isEqualTo(1);   // row 1 ties: argmax 0 != 1
        assertThat(SoftmaxCrossEntropy.correctCount(z, new int[] {2, 0})).isEqualTo(2);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor z = RandomTensors.gaussian(rng, 4, 7);
        int[] labels = {0, 6, 3, 3};
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        ce.forward(z, labels);
        Tensor g = ce.backward().copy();
        double num2 = 0, diff2 = 0;
        float h = 1e-2f;
        for (int i = 0; i < z.size(); i++) {
            float old = z.get(i);
            z.set(i, old + h);
            double lp = ce.forward(z, labels);
            z.set(i, old - h);
            double lm = ce.forward(z, labels);
            z.set(i, old);
            double num = (lp - lm) / (2 * h);
            num2 += num * num;
            diff2 += (num - g.get(i)) * (num - g.get(i));
        }
        assertThat(Math.sqrt(diff2 / num2)).isLessThan(GradCheck.TOL);
    }

    @Test
    void labelSmoothingLossIsTheCrossEntropyAgainstTheSmoothedTarget() {
        Tensor z = Tensor.of(new float[] {1, 2, 3, 0.5f, -1, 0}, 2, 3);
        int[] labels = {2, 0};
        double eps = 0.1;
        double expected = 0;
        for (int i = 0; i < 2; i++) {
            double lse = 0;
            for (int j = 0; j < 3; j++) lse += Math.exp(z.get(i * 3 + j));
            lse = Math.log(lse);
            // -sum_j q_j log p_j with q = (1-eps) onehot + eps/K
            for (int j = 0; j < 3; j++) {
                double q = (j == labels[i] ? 1 - eps : 0) + eps / 3;
                expected -= q * (z.get(i * 3 + j) - lse);
            }
        }
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(eps);
        assertThat((double) ce.forward(z, labels)).isCloseTo(expected / 2, within(1e-6));
        assertThat((double) new SoftmaxCrossEntropy().forward(z, labels)).as("smoothing changes the loss")
                .isNotCloseTo(expected / 2, within(1e-3));
        // dL/dz = (softmax - q) / N: each row of the gradient sums to 0, the label's entry is p - 1 + eps - eps/K
        Tensor g = ce.backward();
        double p02 = Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertThat((double) g.get(2)).isCloseTo((p02 - (1 - eps + eps / 3)) / 2, within(1e-7));
        assertThat((double) (g.get(0) + g.get(1) + g.get(2))).isCloseTo(0, within(1e-7));
    }

    @Test
    void labelSmoothingGradientMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor z = RandomTensors.gaussian(rng, 5, 10);
        int[] labels = {0, 9, 3, 3, 7};
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(0.2);
        ce.forward(z, labels);
        Tensor g = ce.backward().copy();
        double num2 = 0, diff2 = 0;
        float h = 1e-2f;
        for (int i = 0; i < z.size(); i++) {
            float old = z.get(i);
            z.set(i, old + h);
            double lp = ce.forward(z, labels);
            z.set(i, old - h);
            double lm = ce.forward(z, labels);
            z.set(i, old);
            double num = (lp - lm) / (2 * h);
            num2 += num * num;
            diff2 += (num - g.get(i)) * (num - g.get(i));
        }
        assertThat(Math.sqrt(diff2 / num2)).isLessThan(GradCheck.TOL);
    }

    @Test
    void zeroSmoothingIsBitForBitThePlainLoss() {
        Tensor z = RandomTensors.gaussian(new SplittableRandom(4), 6, 10);
        int[] labels = {1, 2, 3, 4, 5, 6};
        SoftmaxCrossEntropy plain = new SoftmaxCrossEntropy(), zero = new SoftmaxCrossEntropy(0);
        assertThat(zero.forward(z, labels)).isEqualTo(plain.forward(z, labels));
        assertThat(zero.backward().toArray()).isEqualTo(plain.backward().toArray());
        assertThatThrownBy(() -> new SoftmaxCrossEntropy(1)).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> new SoftmaxCrossEntropy(Double.NaN)).hasMessageContaining("[0, 1)");
    }

    @Test
    void badLabelIsAClearError() {
        assertThatThrownBy(() -> new SoftmaxCrossEntropy().forward(Tensor.zeros(1, 3), new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 3 outside [0, 3)");
    }
}
