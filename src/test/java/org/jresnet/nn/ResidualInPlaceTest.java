package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.jresnet.engine.TestEngines;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * At inference a residual block's last convolution writes relu(bn(conv(x)) + res) over res where
 * its algorithm allows it ({@link Conv2d#forwardOverResidual}): the same bits as into a buffer of
 * its own, and really in place on the shapes that allow it (1x1 GEMMs split by rows or by column
 * panels, Winograd, row-direct), in the layer's own buffer where a pass sums k blocks in y itself.
 */
class ResidualInPlaceTest {
    @AfterEach void restore() { TestEngines.reset(); }

    private static BatchNorm2d evalBn(int c, long seed) {
        BatchNorm2d bn = new BatchNorm2d(c);
        SplittableRandom r = new SplittableRandom(seed);
        Init.uniform(bn.weight.value(), 2, r);
        Init.uniform(bn.bias.value(), 1, r);
        Init.uniform(bn.runningMean.value(), 0.5, r);
        bn.setTraining(false);
        bn.setInferenceFusion(true);
        return bn;
    }

    @ParameterizedTest(name = "{0}x{0}, {1}->{2}, k{3}, in place {4}")
    @CsvSource({
        "8, 64, 256, 1, true",     // rows (64) < columns (256): split by column panels
        "16, 32, 64, 1, true",     // split by rows
        "5, 48, 80, 1, true",      // edge rows and a 1-vector panel at the right
        "8, 64, 64, 3, true",      // Winograd F(4x4) (inference)
        "7, 64, 64, 3, true",      // Winograd, partial edge tiles
        "8, 16, 16, 3, true",      // row-direct, one vector of channels
        "8, 32, 128, 3, true",     // row-direct, 4L-channel panels
        "16, 2048, 512, 1, false"})   // rows >= columns and 4 MB of B: k blocks outermost, summed in y
    void sameBitsAsOwnBuffer(int hw, int cin, int cout, int k, boolean inPlace) {
        Conv2d conv = new Conv2d(cin, cout, k, 1, k / 2, false);
        Init.uniform(conv.weight.value(), 0.2, new SplittableRandom(1));
        conv.setTraining(false);
        BatchNorm2d bn = evalBn(cout, 2);
        Tensor x = RandomTensors.seed(3).gaussian(2, hw, hw, cin);
        Tensor res = RandomTensors.seed(4).gaussian(2, hw, hw, cout);
        float[] want = bn.forwardAddRelu(conv.forward(x).copy(), res.copy()).toArray();

        Tensor got = bn.forwardAddReluAfter(conv, x, res);
        assertThat(got.toArray()).containsExactly(want);
        assertThat(got.data() == res.data()).as("written over the residual").isEqualTo(inPlace);
    }
}
