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

    private static Tensor input(long seed, int... shape) {
        Tensor x = GradCheck.randn(new SplittableRandom(seed), shape);
        for (int i = 0; i < x.size(); i++) x.set(i, Math.abs(x.get(i))); // a block's input is a relu output
        return x;
    }

    @ParameterizedTest(name = "simd={0} shortcut={1}") @MethodSource("cases")
    void basicBlockDownsampling(boolean simd, Shortcut s) {
        TestEngines.use(c -> c.withSimd(simd));
        BasicBlock b = new BasicBlock(16, 32, 2, s);
        init(b, 1);
        assertThat(GradCheck.maxError(b, input(2, 2, 4, 4, 16), 3, COORDS)).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0} shortcut={1}") @MethodSource("cases")
    void basicBlockSameShape(boolean simd, Shortcut s) {
        TestEngines.use(c -> c.withSimd(simd));
        BasicBlock b = new BasicBlock(16, 16, 1, s);
        init(b, 4);
        assertThat(GradCheck.maxError(b, input(5, 2, 3, 3, 16), 6, COORDS)).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0} shortcut={1}") @MethodSource("cases")
    void bottleneckStrideOn3x3(boolean simd, Shortcut s) {
        TestEngines.use(c -> c.withSimd(simd));
        Bottleneck b = new Bottleneck(16, 8, 2, s, true);
        init(b, 7);
        assertThat(GradCheck.maxError(b, input(8, 2, 4, 4, 16), 9, COORDS)).isLessThan(GradCheck.TOL);
    }

    @ParameterizedTest(name = "simd={0} shortcut={1}") @MethodSource("cases")
    void bottleneckStrideOnFirst1x1(boolean simd, Shortcut s) {
        TestEngines.use(c -> c.withSimd(simd));
        Bottleneck b = new Bottleneck(16, 8, 2, s, false);
        init(b, 10);
        assertThat(GradCheck.maxError(b, input(11, 2, 4, 4, 16), 12, COORDS)).isLessThan(GradCheck.TOL);
    }
}
