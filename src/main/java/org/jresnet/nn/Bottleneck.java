package org.jresnet.nn;

import static org.jresnet.nn.MemoryPlan.BLOCK;
import static org.jresnet.nn.MemoryPlan.dx;
import static org.jresnet.nn.MemoryPlan.ifPresent;
import static org.jresnet.nn.MemoryPlan.output;
import static org.jresnet.nn.MemoryPlan.slot;
import static org.jresnet.nn.MemoryPlan.sumGradient;
import static org.jresnet.nn.TransientBuffers.Slot.BRANCH_INPUT;
import static org.jresnet.nn.TransientBuffers.Slot.INNER_A;
import static org.jresnet.nn.TransientBuffers.Slot.INNER_B;
import static org.jresnet.nn.TransientBuffers.Slot.SHORTCUT_INPUT;
import static org.jresnet.nn.TransientBuffers.Slot.SUM;

import java.util.function.Function;
import org.jresnet.tensor.Tensor;

/**
 * The bottleneck block (paper Fig. 5 right): 1x1 reduce to {@code planes}, 3x3 at {@code planes},
 * 1x1 expand to {@code 4 * planes}, each followed by BN (relu after the first two). The stride sits
 * on the 3x3 (torchvision "v1.5", default) or on the first 1x1 (the paper's v1).
 * Keys: conv1, bn1, conv2, bn2, conv3, bn3, downsample.0/1.
 */
public final class Bottleneck extends ResidualBlock {
    public static final int EXPANSION = 4;

    /**
     * Where the tensors live when the network shares its transient buffers, in the order they are
     * written. Every other tensor is the layer's own. bn1's and bn2's outputs must not share a
     * slot: conv2's dy sits in INNER_A while bn1's output is recomputed. Forward, then backward:
     */
    public static final MemoryPlan MEMORY_PLAN = new MemoryPlan(
            output("bn1", slot(INNER_B)),            // relu(bn1(.)), read once by conv2; recomputed for conv2's backward
            output("bn2", slot(INNER_A)),            // relu(bn2(.)), read once by conv3; recomputed for conv3's backward
            ifPresent(output("downsample.1", slot(SUM))),   // the projection's BN output, read once by the add
            sumGradient(slot(SUM)),                  // dL/dH: read by bn3 and by the shortcut
            dx("bn3", Place.OVER_INPUT),             // over conv3's output (read by nobody after); dL/dH stays
            dx("conv3", slot(INNER_A)),              // over bn2's recomputed output, once conv3 has read it
            dx("bn2", Place.OVER_DY),                // in place, in INNER_A
            dx("conv2", slot(INNER_B)),              // over bn1's recomputed output, once conv2 has read it
            dx("bn1", Place.OVER_DY),                // in place, in INNER_B
            dx("conv1", slot(BRANCH_INPUT)),
            ifPresent(dx("downsample.1", Place.OVER_DY)),   // in place in SUM: the shortcut is dL/dH's last reader
            ifPresent(dx("downsample.0", slot(SHORTCUT_INPUT))),
            dx(BLOCK, slot(BRANCH_INPUT)));          // conv1's dx + the shortcut's, added in place

    public final Conv2d conv1, conv2, conv3;
    public final BatchNorm2d bn1, bn2, bn3;

    /** [N,H,W,cin] -> [N,H/stride,W/stride,4*planes]. */
    public Bottleneck(int cin, int planes, int stride, Shortcut shortcut, boolean strideOn3x3) {
        super(cin, planes * EXPANSION, stride, shortcut);
        conv1 = add("conv1", new Conv2d(cin, planes, 1, strideOn3x3 ? 1 : stride, 0, false));
        bn1 = add("bn1", new BatchNorm2d(planes));
        conv2 = add("conv2", new Conv2d(planes, planes, 3, strideOn3x3 ? stride : 1, 1, false));
        bn2 = add("bn2", new BatchNorm2d(planes));
        conv3 = add("conv3", new Conv2d(planes, planes * EXPANSION, 1, 1, 0, false));
        bn3 = add("bn3", new BatchNorm2d(planes * EXPANSION));
        bn1.setFusedRelu(true);
        bn2.setFusedRelu(true);
        buildShortcut();
    }

    @Override protected Tensor branchBody(Tensor x) {
        Tensor h = bn1.forward(conv1.forward(x));                  // bn1 and bn2 include their relus
        h = bn2.forward(conv2.forward(h));
        return conv3.forward(h);
    }

    @Override protected Tensor fusedBranch(Tensor x, Tensor res, Function<int[], Tensor> elsewhere) {
        Tensor h = bn2.forwardAfter(conv2, bn1.forwardAfter(conv1, x));   // relus included
        return bn3.forwardAddReluAfter(conv3, h, res, elsewhere);
    }

    @Override public Tensor branchBackward(Tensor dy) {
        Tensor g = conv3.backward(bn3.backward(dy), bn2.output());   // bn2's output, recomputed where the forward put it
        g = conv2.backward(bn2.backward(g), bn1.output());
        return conv1.backward(bn1.backward(g));
    }

    @Override public MemoryPlan memoryPlan() { return MEMORY_PLAN; }

    @Override protected long branchMacs(int[] in) {
        int[] h1 = conv1.outputShape(in);
        int[] h2 = conv2.outputShape(h1);
        return conv1.macs(in) + conv2.macs(h1) + conv3.macs(h2);
    }

    @Override public BatchNorm2d lastBn() { return bn3; }
}
