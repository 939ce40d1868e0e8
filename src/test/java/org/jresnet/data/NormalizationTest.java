package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.jresnet.io.Normalization;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizationTest {
    @Test void meanAndPopulationStdOverAllPixelsOverIndicesGiven() {
        // Two 1x2 images: R values {0, 255 | 51, 102}, G {255, 255 | 255, 0}, B {0, 0 | 0, 255}.
        byte[] p = {0, (byte) 255, 0, (byte) 255, (byte) 255, 0, 51, (byte) 255, 0, 102, 0, (byte) 255};
        InMemoryDataset ds = new InMemoryDataset(p, new int[] {0, 0}, new String[] {"a", "b"}, List.of("x"), 1, 2, 0, false, "t");
        Normalization n = ChannelStatistics.normalization(ds, new int[] {0, 1}, 2);
        double[] r = {0, 1, 0.2, 0.4};
        double mr = (0 + 1 + 0.2 + 0.4) / 4;
        double vr = 0;
        for (double v : r) vr += (v - mr) * (v - mr) / 4;
        assertThat(n.mean()[0]).isCloseTo(mr, within(1e-12));
        assertThat(n.std()[0]).isCloseTo(Math.sqrt(vr), within(1e-12));
        assertThat(n.mean()[1]).isCloseTo(0.75, within(1e-12));
        assertThat(n.std()[1]).isCloseTo(Math.sqrt(0.1875), within(1e-12));
        assertThat(n.mean()[2]).isCloseTo(0.25, within(1e-12));
        assertThat(n.std()[2]).isCloseTo(Math.sqrt(0.1875), within(1e-12));
        Normalization only2 = ChannelStatistics.normalization(ds, new int[] {1}, 1);
        assertThat(only2.mean()[0]).isCloseTo(0.3, within(1e-12));
    }

    @Test void constantChannelIsAnErrorNotADivisionByZero() {
        byte[] p = {10, 20, 30, 10, 40, 50};
        InMemoryDataset ds = new InMemoryDataset(p, new int[] {0}, new String[] {"a"}, List.of("x"), 1, 2, 0, false, "t");
        assertThatThrownBy(() -> ChannelStatistics.normalization(ds, new int[] {0}, 1))
                .isInstanceOf(DataException.class).hasMessageContaining("channel R is constant");
    }

    @Test void tableIsTorchvisionsFloatArithmetic() {
        Normalization n = new Normalization(new double[] {0.4914, 0.4822, 0.4465}, new double[] {0.247, 0.243, 0.261});
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float expect = ((float) v / 255f - (float) n.mean()[c]) / (float) n.std()[c];
                assertThat(n.apply(c, v)).isEqualTo(expect);
            }
        }
        assertThat(Normalization.UNIT.apply(1, 255)).isEqualTo(1f);
    }
}
