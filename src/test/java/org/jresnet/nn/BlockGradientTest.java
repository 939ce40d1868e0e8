package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.engine.TestEngines;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Finite-difference checks of whole blocks (the residual add included), every shortcut option, both paths. */
class BlockGradientTest {
    private static final int COORDS = 60;

    @AfterEach void restore() { TestEngines.reset(); }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (boolean simd : new boolean[] {true, false}) {
            for (Shortcut s : Shortcut.values()) b.add(Arguments.of(simd, s));
        }
        return b.build();
    }

    private static void init(Layer block, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (var e : block.modules().entrySet()) {
            if (e.getValue() instanceof Conv2d c) Init.kaimingNormalFanOut(c, rng);
            if (e.getValue() instanceof BatchNorm2d bn) {
                Init.uniform(bn.weight.value(), 1.5, rng);
                Init.uniform(bn.bias.value(), 0.5, rng);
            }
        }
    }

    /** A block's input is a relu output: |x|. */
    private static Tensor reluOutput(Tensor x) { return RandomTensors.abs(x); }

    @ParameterizedTest(name = "simd={0} shortcut={1}") @MethodSource("cases")
    void basicBlockDownsampling(boolean simd, Shortcut s) {
        TestEngines.use(c -> c.withSimd(simd));
        BasicBlock b = new BasicBlock(16, 32, 2, s);
        init(b, 1);
        assertThat(GradCheck.of(b).input(reluOutput(RandomTensors.seed(2).gaussian(2, 4, 4, 16)))
                .probeSeed(3).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0} shortcut={1}") @MethodSource("cases")
    void basicBlockSameShape(boolean simd, Shortcut s) {
        TestEngines.use(c -> c.withSimd(simd));
        BasicBlock b = new BasicBlock(16, 16, 1, s);
        init(b, 4);
        assertThat(GradCheck.of(b).input(reluOutput(RandomTensors.seed(5).gaussian(2, 3, 3, 16)))
                .probeSeed(6).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0} shortcut={1}") @MethodSource("cases")
    void bottleneckStrideOn3x3(boolean simd, Shortcut s) {
        TestEngines.use(c -> c.withSimd(simd));
        Bottleneck b = new Bottleneck(16, 8, 2, s, true);
        init(b, 7);
        assertThat(GradCheck.of(b).input(reluOutput(RandomTensors.seed(8).gaussian(2, 4, 4, 16)))
                .probeSeed(9).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0} shortcut={1}") @MethodSource("cases")
    void bottleneckStrideOnFirst1x1(boolean simd, Shortcut s) {
        TestEngines.use(c -> c.withSimd(simd));
        Bottleneck b = new Bottleneck(16, 8, 2, s, false);
        init(b, 10);
        assertThat(GradCheck.of(b).input(reluOutput(RandomTensors.seed(11).gaussian(2, 4, 4, 16)))
                .probeSeed(12).coords(COORDS).maxError()).isLessThan(GradCheck.TOL);
    }
}
