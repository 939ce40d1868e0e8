package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.engine.TestEngines;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finite-difference checks of every layer on the SIMD and the scalar path. Channel counts are
 * 17..20 so the vector loops (16 lanes with AVX-512) and their scalar tails both run.
 */
@Tag("smoke")
class LayerGradientTest {
    private static final int COORDS = 120;

    @AfterEach void restore() { TestEngines.reset(); }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void batchNormTrainMode(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        BatchNorm2d bn = new BatchNorm2d(20);
        SplittableRandom rng = new SplittableRandom(3);
        Init.uniform(bn.weight.value(), 2, rng);
        Init.uniform(bn.bias.value(), 1, rng);
        assertThat(GradCheck.of(bn).input(RandomTensors.seed(1).gaussian(2, 3, 3, 20))
                .probeSeed(7).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void batchNormEvalMode(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        BatchNorm2d bn = new BatchNorm2d(19);
        SplittableRandom rng = new SplittableRandom(4);
        Init.uniform(bn.weight.value(), 2, rng);
        Init.uniform(bn.runningMean.value(), 1, rng);
        for (int i = 0; i < 19; i++) bn.runningVar.value().set(i, 0.5f + i * 0.1f);
        bn.setTraining(false);
        assertThat(GradCheck.of(bn).input(RandomTensors.seed(2).gaussian(2, 2, 3, 19))
                .probeSeed(8).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void relu(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        assertThat(GradCheck.of(new ReLU()).input(RandomTensors.seed(3).gaussian(2, 3, 3, 20))
                .probeSeed(9).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void maxPool3x3Stride2Pad1(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        assertThat(GradCheck.of(new MaxPool2d(3, 2, 1)).input(RandomTensors.seed(4).gaussian(2, 5, 6, 18))
                .probeSeed(10).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void globalAvgPool(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        assertThat(GradCheck.of(new GlobalAvgPool()).input(RandomTensors.seed(5).gaussian(2, 3, 3, 20))
                .probeSeed(11).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void linear(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        Linear fc = new Linear(37, 7);
        Init.linearDefault(fc, 1, "fc.");
        assertThat(GradCheck.of(fc).input(RandomTensors.seed(6).gaussian(3, 37))
                .probeSeed(12).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void shortcutA(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        assertThat(GradCheck.of(new ShortcutA(16, 32, 2)).input(RandomTensors.seed(7).gaussian(2, 5, 5, 16))
                .probeSeed(13).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0}") @ValueSource(booleans = {true, false})
    void sequentialConvBnRelu(boolean simd) {
        TestEngines.use(c -> c.withSimd(simd));
        Conv2d conv = new Conv2d(3, 17, 3, 2, 1, false);
        Init.kaimingNormalFanOut(conv, new SplittableRandom(5));
        Sequential s = new Sequential(conv, new BatchNorm2d(17), new ReLU());
        assertThat(GradCheck.of(s).input(RandomTensors.seed(8).gaussian(2, 5, 5, 3))
                .probeSeed(14).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }
}
