package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** In eval mode a convolution reuses its packed weights; every way of changing them is seen. */
class PackedWeightCacheTest {

    /**
     * A fresh layer in eval mode, its cache empty, packs the weights as they are now: the reference
     * (the same algorithm as the layer under test; a train-mode layer may take another one, F(2x2)
     * Winograd instead of F(4x4)).
     */
    private static float[] reference(Conv2d like, Tensor x) {
        Conv2d c = new Conv2d(like.cin, like.cout, like.kernel, like.stride, like.pad, false);
        c.weight.value().copyFrom(like.weight.value());
        c.setTraining(false);
        return c.forward(x).toArray();
    }

    @ParameterizedTest
    @CsvSource({"16,32,3,1,1,8", "16,16,3,1,1,8", "32,64,1,1,0,5", "16,32,3,2,1,7"})
    void evalForwardSeesEveryWeightChange(int cin, int cout, int k, int stride, int pad, int size) {
        SplittableRandom r = new SplittableRandom(11);
        Conv2d c = new Conv2d(cin, cout, k, stride, pad, false);
        c.weight.value().copyFrom(RandomTensors.uniform(r, -1, 1, cout, cin, k, k));
        Tensor x = RandomTensors.uniform(r, -1, 1, 2, size, size, cin);
        c.setTraining(false);
        assertThat(c.forward(x).toArray()).containsExactly(reference(c, x));
        assertThat(c.forward(x).toArray()).as("second call, cached panels").containsExactly(reference(c, x));

        c.weight.value().copyFrom(RandomTensors.uniform(r, -1, 1, cout, cin, k, k));    // by hand, then announced
        c.parametersChanged();
        assertThat(c.forward(x).toArray()).containsExactly(reference(c, x));

        c.setTraining(true);                                       // a training step changes them
        c.weight.value().set(0, c.weight.value().get(0) + 1f);
        c.setTraining(false);
        assertThat(c.forward(x).toArray()).containsExactly(reference(c, x));
    }

    /**
     * An inference replica ({@link Layer#shareWeightsOf}) reads its master's weights and packed
     * weights, not copies; a plane that takes another layout (F(2x2) on 6x6, F(4x4) on 8x8)
     * gives each caller its own panels, right for both.
     */
    @Test
    void aReplicaSharesTheWeightsAndTheirPackedCopies() {
        SplittableRandom r = new SplittableRandom(12);
        Conv2d master = new Conv2d(32, 32, 3, 1, 1, false), replica = new Conv2d(32, 32, 3, 1, 1, false);
        master.weight.value().copyFrom(RandomTensors.uniform(r, -1, 1, 32, 32, 3, 3));
        master.setTraining(false);
        replica.setTraining(false);
        replica.shareWeightsOf(master);
        assertThat(replica.weight.value()).isSameAs(master.weight.value());
        Tensor x8 = RandomTensors.uniform(r, -1, 1, 1, 8, 8, 32), x6 = RandomTensors.uniform(r, -1, 1, 1, 6, 6, 32);
        float[] want8 = reference(master, x8), want6 = reference(master, x6);
        assertThat(replica.forward(x8).toArray()).containsExactly(want8);
        assertThat(master.forward(x6).toArray()).containsExactly(want6);
        assertThat(replica.forward(x8).toArray()).containsExactly(want8);

        master.weight.value().set(0, 5f);     // changed by the master's owner, announced
        master.parametersChanged();
        assertThat(replica.forward(x8).toArray()).as("the shared cache was dropped").containsExactly(reference(master, x8));
        assertThatThrownBy(() -> replica.shareWeightsOf(new Conv2d(32, 32, 1, 1, 0, false)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
