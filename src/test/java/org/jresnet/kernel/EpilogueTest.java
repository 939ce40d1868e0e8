package org.jresnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.jresnet.engine.TestEngines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A convolution with a fused {@link Epilogue} (eval BN, residual, ReLU applied as each block of
 * output is stored) equals the convolution followed by {@link BatchNormKernels#normalize}, bit for
 * bit, on every forward algorithm and split: Winograd (edge tiles), row-direct, shifted GEMM
 * (1x1, strided, a channel tail, a batch-1 layer split by column panels).
 */
class EpilogueTest {
    private static final int L = MicroKernel.L;

    @AfterEach void restore() { TestEngines.reset(); }

    static java.util.stream.Stream<Arguments> shapes() {
        return java.util.stream.Stream.of(
                Arguments.of(new ConvShape(2, 5, 7, L, 2 * L, 3, 3, 1, 1), ConvSimd.Algorithm.WINOGRAD),
                Arguments.of(new ConvShape(1, 8, 8, L, L, 3, 3, 1, 1), ConvSimd.Algorithm.ROW_DIRECT),
                Arguments.of(new ConvShape(2, 6, 6, 2 * L, 4 * L, 1, 1, 1, 0), ConvSimd.Algorithm.SHIFTED_GEMM),
                Arguments.of(new ConvShape(1, 9, 9, L, 2 * L, 3, 3, 2, 1), ConvSimd.Algorithm.SHIFTED_GEMM),
                Arguments.of(new ConvShape(2, 4, 5, 3, L + 3, 3, 3, 1, 1), ConvSimd.Algorithm.SHIFTED_GEMM),
                Arguments.of(new ConvShape(1, 2, 2, 2 * L, 16 * L, 1, 1, 1, 0), ConvSimd.Algorithm.SHIFTED_GEMM));
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("shapes")
    void fusedEqualsConvThenNormalize(ConvShape s, ConvSimd.Algorithm algorithm) {
        TestEngines.use(c -> c.withWinograd(true).withThreads(2));
        assertThat(ConvSimd.forwardAlgorithm(s)).isEqualTo(algorithm);
        Random r = new Random(s.hashCode());
        int off = 5, c = s.cout(), rows = s.outputSize() / c;
        float[] x = ConvSimdTest.random(r, s.inputSize() + off), w = ConvSimdTest.random(r, s.weightSize() + off);
        float[] scale = ConvSimdTest.random(r, c), mean = ConvSimdTest.random(r, c), shift = ConvSimdTest.random(r, c);
        float[] res = ConvSimdTest.random(r, s.outputSize() + 3);
        for (boolean relu : new boolean[] {false, true}) {
            for (boolean withRes : new boolean[] {false, true}) {
                float[] want = new float[s.outputSize() + 2 * off];
                ConvSimd.forward(s, x, off, w, off, want, off, KernelWorkspace.forThisThread(), new PackedWeightCache(), null);
                BatchNormKernels.normalize(want, off, withRes ? res : null, 3, want, off, rows, c, scale, mean, shift, relu);

                float[] got = new float[want.length];
                Epilogue e = new Epilogue(scale, mean, shift, withRes ? res : null, 3, relu);
                ConvSimd.forward(s, x, off, w, off, got, off, KernelWorkspace.forThisThread(), new PackedWeightCache(), e);
                assertThat(got).as("relu %s, residual %s", relu, withRes).isEqualTo(want);
            }
        }
    }
}
