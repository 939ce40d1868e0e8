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
    void badLabelIsAClearError() {
        assertThatThrownBy(() -> new SoftmaxCrossEntropy().forward(Tensor.zeros(1, 3), new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label 3 outside [0, 3)");
    }
}
