package org.jresnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jresnet.kernel.ConvSimd.Algorithm.CHANNEL_ROWS;
import static org.jresnet.kernel.ConvSimd.Algorithm.COL2IM;
import static org.jresnet.kernel.ConvSimd.Algorithm.ROW_DIRECT;
import static org.jresnet.kernel.ConvSimd.Algorithm.SHIFTED_GEMM;
import static org.jresnet.kernel.ConvSimd.Algorithm.TAP_ROWS;
import static org.jresnet.kernel.ConvSimd.Algorithm.WINOGRAD;

import org.jresnet.engine.TestEngines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ConvSimd's dispatch table, row by row, in channel counts of L (so it holds at any vector width). */
class ConvDispatchTest {
    private static final int L = MicroKernel.L;

    @AfterEach void restore() { TestEngines.reset(); }

    private static ConvShape conv(int hw, int cin, int cout, int k, int stride, int pad) {
        return new ConvShape(2, hw, hw, cin, cout, k, k, stride, pad);
    }

    @Test
    void forwardTable() {
        TestEngines.use(c -> c.withWinograd(true));
        assertThat(ConvSimd.forwardAlgorithm(conv(8, L, 2 * L, 3, 1, 1))).isEqualTo(WINOGRAD);
        assertThat(ConvSimd.forwardAlgorithm(conv(8, L, L, 3, 1, 1))).isEqualTo(ROW_DIRECT);          // one vector out
        assertThat(ConvSimd.forwardAlgorithm(conv(8, 3, L, 3, 1, 1))).isEqualTo(ROW_DIRECT);          // an RGB stem
        assertThat(ConvSimd.forwardAlgorithm(conv(6, L, 4 * L, 3, 1, 0))).isEqualTo(ROW_DIRECT);      // 4L panels, pad 0
        assertThat(ConvSimd.forwardAlgorithm(conv(7, L, L, 3, 1, 1))).isEqualTo(SHIFTED_GEMM);        // ow % 8 != 0
        assertThat(ConvSimd.forwardAlgorithm(conv(8, L, 2 * L, 3, 2, 1))).isEqualTo(SHIFTED_GEMM);    // strided
        assertThat(ConvSimd.forwardAlgorithm(conv(8, 4 * L, L, 1, 1, 0))).isEqualTo(SHIFTED_GEMM);    // 1x1
        assertThat(ConvSimd.forwardAlgorithm(conv(16, 3, 4 * L, 7, 2, 3))).isEqualTo(SHIFTED_GEMM);   // the 7x7 stem
    }

    @Test
    void backwardDataTable() {
        TestEngines.use(c -> c.withWinograd(true));
        assertThat(ConvSimd.backwardDataAlgorithm(conv(8, 3, L, 7, 2, 3))).isEqualTo(COL2IM);
        assertThat(ConvSimd.backwardDataAlgorithm(conv(8, 2 * L, L, 3, 1, 1))).isEqualTo(WINOGRAD);
        assertThat(ConvSimd.backwardDataAlgorithm(conv(8, L, 2 * L, 3, 1, 1))).isEqualTo(ROW_DIRECT);
        assertThat(ConvSimd.backwardDataAlgorithm(conv(8, L, L, 3, 2, 1))).isEqualTo(SHIFTED_GEMM);
        assertThat(ConvSimd.backwardDataAlgorithm(conv(8, L, L, 1, 1, 0))).isEqualTo(SHIFTED_GEMM);
    }

    @Test
    void weightGradientTable() {
        TestEngines.use(c -> c.withWinograd(true));
        assertThat(ConvSimd.weightGradientAlgorithm(conv(8, 2 * L, 2 * L, 3, 1, 1))).isEqualTo(WINOGRAD);
        assertThat(ConvSimd.weightGradientAlgorithm(conv(8, L, 2 * L, 3, 1, 1))).isEqualTo(CHANNEL_ROWS);
        assertThat(ConvSimd.weightGradientAlgorithm(conv(8, 2 * L, 2 * L, 3, 2, 1))).isEqualTo(CHANNEL_ROWS);
        assertThat(ConvSimd.weightGradientAlgorithm(conv(8, 3, L, 3, 1, 1))).isEqualTo(TAP_ROWS);
    }

    @Test
    void winogradSwitchedOffLeavesTheDirectAlgorithms() {
        TestEngines.use(c -> c.withWinograd(false));
        assertThat(ConvSimd.forwardAlgorithm(conv(8, L, 2 * L, 3, 1, 1))).isEqualTo(ROW_DIRECT);
        assertThat(ConvSimd.backwardDataAlgorithm(conv(8, 2 * L, L, 3, 1, 1))).isEqualTo(ROW_DIRECT);
        assertThat(ConvSimd.weightGradientAlgorithm(conv(8, 2 * L, 2 * L, 3, 1, 1))).isEqualTo(CHANNEL_ROWS);
    }
}
