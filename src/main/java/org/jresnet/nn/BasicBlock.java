package org.jresnet.nn;

import static org.jresnet.nn.MemoryPlan.BLOCK;
import static org.jresnet.nn.MemoryPlan.dx;
import static org.jresnet.nn.MemoryPlan.ifPresent;
import static org.jresnet.nn.MemoryPlan.output;
import static org.jresnet.nn.MemoryPlan.slot;
import static org.jresnet.nn.MemoryPlan.sumGradient;
import static org.jresnet.nn.TransientBuffers.Slot.BRANCH_INPUT;
import static org.jresnet.nn.TransientBuffers.Slot.INNER_A;
import static org.jresnet.nn.TransientBuffers.Slot.SHORTCUT_INPUT;
import static org.jresnet.nn.TransientBuffers.Slot.SUM;

import java.util.function.Function;
import org.jresnet.tensor.Tensor;

/**
 * The basic block (paper Fig. 2 left / Fig. 5 left): F(x) = bn2(conv2(relu(bn1(conv1(x))))), with
 * conv1 3x3 stride s and conv2 3x3. torchvision's keys: conv1, bn1, conv2, bn2, downsample.0/1.
 */
public final class BasicBlock extends ResidualBlock {
    public static final int EXPANSION = 1;

    /**
     * Where the tensors live when the network shares its transient buffers, in the order they are
     * written. Every other tensor is the layer's own. Forward, then backward:
     */
    public static final MemoryPlan MEMORY_PLAN = new MemoryPlan(
            output("bn1", slot(INNER_A)),            // relu(bn1(.)), read once by conv2; recomputed for conv2's backward
            ifPresent(output("downsample.1", slot(SUM))),   // the projection's BN output, read once by the add
            sumGradient(slot(SUM)),                  // dL/dH: read by bn2 and by the shortcut
            dx("bn2", Place.OVER_INPUT),             // over conv2's output (read by nobody after); dL/dH stays
            dx("conv2", slot(INNER_A)),              // over bn1's recomputed output, once conv2 has read it
            dx("bn1", Place.OVER_DY),                // in place, in INNER_A
            dx("conv1", slot(BRANCH_INPUT)),
            ifPresent(dx("downsample.1", Place.OVER_DY)),   // in place in SUM: the shortcut is dL/dH's last reader
            ifPresent(dx("downsample.0", slot(SHORTCUT_INPUT))),
            dx(BLOCK, slot(BRANCH_INPUT)));          // conv1's dx + the shortcut's, added in place

    public final Conv2d conv1, conv2;
    public final BatchNorm2d bn1, bn2;

    /** [N,H,W,cin] -> [N,H/stride,W/stride,planes]. */
    public BasicBlock(int cin, int planes, int stride, Shortcut shortcut) {
        super(cin, planes * EXPANSION, stride, shortcut);
        conv1 = add("conv1", new Conv2d(cin, planes, 3, stride, 1, false));
        bn1 = add("bn1", new BatchNorm2d(planes));
        bn1.setFusedRelu(true);
        conv2 = add("conv2", new Conv2d(planes, planes, 3, 1, 1, false));
        bn2 = add("bn2", new BatchNorm2d(planes));
        buildShortcut();
    }

    @Override protected Tensor branchBody(Tensor x) {
        return conv2.forward(bn1.forward(conv1.forward(x)));       // bn1 includes the relu
    }

    @Override protected Tensor fusedBranch(Tensor x, Tensor res, Function<int[], Tensor> elsewhere) {
        return bn2.forwardAddReluAfter(conv2, bn1.forwardAfter(conv1, x), res, elsewhere);
    }

    @Override public Tensor branchBackward(Tensor dy) {
        Tensor g = conv2.backward(bn2.backward(dy), bn1.output());   // bn1's output recomputed where the forward put it
        return conv1.backward(bn1.backward(g));
    }

    @Override public MemoryPlan memoryPlan() { return MEMORY_PLAN; }

    @Override protected long branchMacs(int[] in) {
        return conv1.macs(in) + conv2.macs(conv1.outputShape(in));
    }

    @Override public BatchNorm2d lastBn() { return bn2; }
}
