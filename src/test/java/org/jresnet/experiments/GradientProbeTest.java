package org.jresnet.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.data.BatchLoader;
import org.jresnet.io.Normalization;
import org.jresnet.data.PadCropFlip;
import org.jresnet.models.Models;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.ResNet;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The gradient probe on a whole network: H'(x) = F'(x) + 1 holds exactly in every identity block. */
class GradientProbeTest {

    @Test void identityBlocksInputGradientIsOutputGradientPlusBranchGradient() {
        var ds = Synthetic.dataset(6, 8, 2);
        ResNet net = Models.create(ModelConfig.of("resnet20").withNumClasses(3).withSeed(3));
        var b = Probe.batch(ds, BatchLoader.all(ds), PadCropFlip.eval(Normalization.UNIT, 8, 8));
        GradientProbe.Measurement m = GradientProbe.measure(net, b.images(), b.labels());
        int identity = 0;
        for (int i = 0; i < net.blocks().size(); i++) {
            ResidualBlock blk = net.blocks().get(i);
            Tensor dx = blk.lastInputGradient(), g = blk.lastSumGradient(), br = blk.lastBranchInputGradient();
            assertThat(m.blocks().get(i).inputGrad()).isEqualTo(Probe.norm(dx));
            if (Probe.downsampling(blk)) continue;
            identity++;
            assertThat(dx.shape()).isEqualTo(g.shape());
            for (int k = 0; k < dx.size(); k++) assertThat(dx.get(k)).isEqualTo(g.get(k) + br.get(k));
        }
        assertThat(identity).isEqualTo(7);
        assertThat(m.blocks()).hasSize(9);
        assertThat(m.convs()).hasSize(19);
        assertThat(m.convs().get(0).name()).isEqualTo("conv1");
        for (var c : m.convs()) assertThat(c.weightGrad()).isPositive();
        assertThat(m.loss()).isPositive();
    }

    @Test void plainBlocksInputGradientIsTheBranchGradient() {
        var ds = Synthetic.dataset(6, 8, 2);
        ResNet net = Models.create(ModelConfig.of("plain20").withNumClasses(3).withSeed(3));
        var b = Probe.batch(ds, BatchLoader.all(ds), PadCropFlip.eval(Normalization.UNIT, 8, 8));
        GradientProbe.measure(net, b.images(), b.labels());
        for (ResidualBlock blk : net.blocks()) {
            assertThat(blk.lastInputGradient().toArray()).containsExactly(blk.lastBranchInputGradient().toArray());
        }
    }
}
