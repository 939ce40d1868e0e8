package org.jresnet.nn;

import org.jresnet.tensor.Tensor;

/**
 * The basic block (paper Fig. 2 left / Fig. 5 left): F(x) = bn2(conv2(relu(bn1(conv1(x))))), with
 * conv1 3x3 stride s and conv2 3x3. torchvision's keys: conv1, bn1, conv2, bn2, downsample.0/1.
 */
public final class BasicBlock extends ResidualBlock {
    public static final int EXPANSION = 1;

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

    @Override public Tensor branchBackward(Tensor dy) {
        Tensor g = conv2.backward(bn2.backward(dy), bn1.output());   // bn1's output recomputed in the slot the forward used
        return conv1.backward(bn1.backward(g));
    }

    @Override protected void wireBranch(GradientBuffers b) {
        routeInner(bn1, conv2, b, GradientBuffers.INNER_A);
        conv1.shareGradientBuffer(b, GradientBuffers.BRANCH_INPUT);
    }

    @Override protected long branchMacs(int[] in) {
        return conv1.macs(in) + conv2.macs(conv1.outputShape(in));
    }

    @Override public BatchNorm2d lastBn() { return bn2; }
}
