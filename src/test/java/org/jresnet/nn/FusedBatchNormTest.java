package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jresnet.engine.TestEngines;
import java.util.SplittableRandom;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * BN with its ReLU fused ({@link BatchNorm2d#setFusedRelu}) and a block's fused
 * relu(bn(x) + shortcut) against the separate layers, bit for bit, and by finite differences.
 */
class FusedBatchNormTest {
    /** Not a multiple of L (16 or 8): a vector body plus a scalar tail. */
    private static final int C = 21;

    @AfterEach void restore() { TestEngines.reset(); }

    private static BatchNorm2d bn(long seed) {
        BatchNorm2d bn = new BatchNorm2d(C);
        SplittableRandom rng = new SplittableRandom(seed);
        Init.uniform(bn.weight.value(), 2, rng);
        Init.uniform(bn.bias.value(), 1, rng);
        Init.uniform(bn.runningMean.value(), 0.5, rng);
        return bn;
    }

    @ParameterizedTest(name = "simd={0}, training={1}") @ValueSource(booleans = {true, false})
    void fusedReluEqualsBatchNormThenReluExactly(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        for (boolean training : new boolean[] {true, false}) {
            BatchNorm2d fused = bn(1), plain = bn(1);
            fused.setFusedRelu(true);
            fused.setTraining(training);
            plain.setTraining(training);
            ReLU relu = new ReLU();
            Tensor x = RandomTensors.seed(2).gaussian(2, 3, 5, C);
            Tensor dy = RandomTensors.seed(3).gaussian(2, 3, 5, C);
            Tensor yf = fused.forward(x), yp = relu.forward(plain.forward(x));
            assertThat(yf.toArray()).containsExactly(yp.toArray());
            Tensor dxf = fused.backward(dy), dxp = plain.backward(relu.backward(dy));
            assertThat(dxf.toArray()).containsExactly(dxp.toArray());
            assertThat(fused.weight.grad().toArray()).containsExactly(plain.weight.grad().toArray());
            assertThat(fused.bias.grad().toArray()).containsExactly(plain.bias.grad().toArray());
            assertThat(fused.runningVar.value().toArray()).containsExactly(plain.runningVar.value().toArray());
        }
    }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void addReluTailEqualsSeparateLayers(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        BatchNorm2d fused = bn(4), plain = bn(4);
        Tensor x = RandomTensors.seed(5).gaussian(2, 3, 4, C);
        Tensor s = RandomTensors.seed(6).gaussian(2, 3, 4, C);
        Tensor y = fused.forwardAddRelu(x, s);
        Tensor b = plain.forward(x);
        for (int i = 0; i < y.size(); i++) assertThat(y.get(i)).isEqualTo(Math.max(0f, b.get(i) + s.get(i)));
        Tensor dy = RandomTensors.seed(7).gaussian(2, 3, 4, C);
        // the tail's backward takes dL/d(bn(x)), unmasked, like the plain layer
        assertThat(fused.backward(dy).toArray()).containsExactly(plain.backward(dy).toArray());
    }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void fusedReluGradientByFiniteDifferences(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        BatchNorm2d bn = bn(8);
        bn.setFusedRelu(true);
        Tensor x = RandomTensors.seed(9).gaussian(2, 3, 3, C);
        assertThat(GradCheck.of(bn).input(x).probeSeed(10).coords(60).maxError()).isLessThan(GradCheck.TOL);
        bn.setTraining(false);
        assertThat(GradCheck.of(bn).input(x).probeSeed(11).coords(60).maxError()).isLessThan(GradCheck.TOL);
    }

    /** A transient output recomputed for the backward is the forward's, bit for bit; dx over x equals dx elsewhere. */
    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void recomputedOutputAndBackwardOverInputChangeNothing(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        TransientBuffers slots = new TransientBuffers();
        BatchNorm2d shared = bn(7), own = bn(7);
        shared.setFusedRelu(true);
        own.setFusedRelu(true);
        shared.placeOutput(Place.slot(TransientBuffers.Slot.INNER_A), slots);
        shared.placeDx(Place.OVER_INPUT, slots);
        Tensor x = RandomTensors.seed(8).gaussian(2, 3, 5, C);
        Tensor dy = RandomTensors.seed(9).gaussian(2, 3, 5, C);
        float[] expected = own.forward(x.copy()).toArray();
        assertThat(shared.forward(x).toArray()).containsExactly(expected);
        slots.view(TransientBuffers.Slot.INNER_A, x.shape()).fill(Float.NaN);    // the slot's next user
        assertThat(shared.output().toArray()).containsExactly(expected);
        assertThat(own.output().toArray()).containsExactly(expected);
        Tensor dx = shared.backward(dy);
        assertThat(dx.data()).isSameAs(x.data());
        assertThat(dx.toArray()).containsExactly(own.backward(dy).toArray());
        assertThat(shared.weight.grad().toArray()).containsExactly(own.weight.grad().toArray());
    }

    @Test
    void outputOfTheResidualTailCannotBeRecomputed() {
        BatchNorm2d tail = bn(10);
        tail.placeOutput(Place.slot(TransientBuffers.Slot.SUM), new TransientBuffers());
        Tensor x = RandomTensors.seed(11).gaussian(2, 3, 4, C);
        tail.forwardAddRelu(x, x.copy());
        assertThatThrownBy(tail::output).isInstanceOf(IllegalStateException.class);
    }
}
