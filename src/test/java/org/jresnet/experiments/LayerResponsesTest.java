package org.jresnet.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.jresnet.data.BatchLoader;
import org.jresnet.io.Normalization;
import org.jresnet.data.PadCropFlip;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayerResponsesTest {

    private static double std(Tensor t) {
        double s = 0, s2 = 0;
        for (int i = 0; i < t.size(); i++) {
            s += t.get(i);
            s2 += (double) t.get(i) * t.get(i);
        }
        double m = s / t.size();
        return Math.sqrt(s2 / t.size() - m * m);
    }

    /** The second 3x3 layer of each block is what the block adds: its F(x) seen through the hook in a normal forward. */
    @Test void responsesAreTheBranchOutputsOfANormalForward() {
        var ds = Synthetic.dataset(9, 8, 4);
        var t = PadCropFlip.eval(Normalization.UNIT, 8, 8);
        for (String name : new String[] {"resnet20", "plain20"}) {
            ResNet net = Models.create(ModelConfig.of(name).withNumClasses(3).withSeed(6));
            LayerResponses.Responses r = LayerResponses.measure(name, net, ds, BatchLoader.all(ds), t);
            assertThat(r.std()).hasSize(19);
            assertThat(r.layers().get(0)).isEqualTo("conv1");
            assertThat(r.layers().get(2)).isEqualTo("layer1.0.conv2");
            net.setTraining(false);
            for (var b : net.blocks()) b.setRecording(true);
            net.forward(Probe.batch(ds, BatchLoader.all(ds), t).images());
            for (int i = 0; i < net.blocks().size(); i++) {
                assertThat(r.std()[2 + 2 * i]).isCloseTo(std(net.blocks().get(i).lastBranchOutput()), within(1e-9));
            }
            double[] sorted = r.sortedDescending();
            for (int i = 1; i < sorted.length; i++) assertThat(sorted[i]).isLessThanOrEqualTo(sorted[i - 1]);
        }
    }
}
