package org.jresnet.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Conv2d;
import org.jresnet.nn.Layer;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;

/**
 * One forward/backward pass of the mean cross-entropy on a batch, in training mode (batch
 * statistics, as during SGD), reading the L2 norms of the gradients: for each block, of the loss
 * w.r.t. its input dL/dx, w.r.t. the sum H = F(x) + S(x) (below the final relu), and of the
 * branch's part F'(x)^T dL/dH; for each convolution, of the weight gradient (without weight decay).
 * With an identity shortcut dL/dx = dL/dH + F'(x)^T dL/dH: the "+1" that keeps gradients alive.
 */
public final class GradientProbe {
    /** Norms at block {@code index} (from 1, forward order). */
    public record BlockGrad(int index, String name, boolean downsampling, double inputGrad, double sumGrad,
                            double branchGrad) {}

    /** Norm of a convolution's weight gradient; {@code index} from 1 in module order. */
    public record ConvGrad(int index, String name, int kernel, double weightGrad) {}

    public record Measurement(double loss, List<BlockGrad> blocks, List<ConvGrad> convs) {}

    private GradientProbe() {}

    public static Measurement measure(ResNet net, Tensor images, int[] labels) {
        boolean was = net.isTraining();
        net.setTraining(true);
        for (ResidualBlock b : net.blocks()) b.setRecording(true);
        try {
            net.zeroGrad();
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
            float loss = ce.forward(net.forward(images), labels);
            net.backward(ce.backward());
            Map<Layer, String> names = Probe.names(net);
            List<BlockGrad> blocks = new ArrayList<>();
            int i = 0;
            for (ResidualBlock b : net.blocks()) {
                Tensor br = b.lastBranchInputGradient();
                blocks.add(new BlockGrad(++i, names.get(b), Probe.downsampling(b), Probe.norm(b.lastInputGradient()),
                        Probe.norm(b.lastSumGradient()), br == null ? 0 : Probe.norm(br)));
            }
            List<ConvGrad> convs = new ArrayList<>();
            int j = 0;
            for (var e : net.modules().entrySet()) {
                if (e.getValue() instanceof Conv2d c) {
                    convs.add(new ConvGrad(++j, names.get(c), c.kernel, Probe.norm(c.weight.grad())));
                }
            }
            return new Measurement(loss, blocks, convs);
        } finally {
            for (ResidualBlock b : net.blocks()) b.setRecording(false);
            net.setTraining(was);
        }
    }
}
