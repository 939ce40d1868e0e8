package org.jresnet.nn;

import org.jresnet.kernel.PoolKernels;
import org.jresnet.tensor.Tensor;

/** Mean over all pixels: [N,H,W,C] -> [N,C] (torchvision's avgpool + flatten). */
public final class GlobalAvgPool extends Layer {
    private Tensor y, dx;
    private int[] inShape;

    @Override public int[] outputShape(int[] in) {
        if (in.length != 4) throw new IllegalArgumentException("GlobalAvgPool expects [N,H,W,C], got " + java.util.Arrays.toString(in));
        return new int[] {in[0], in[3]};
    }

    @Override public Tensor forward(Tensor x) {
        inShape = x.shape();
        y = Tensor.reuse(y, outputShape(inShape));
        PoolKernels.gapForward(x.data(), x.offset(), y.data(), y.offset(), inShape[0], inShape[1] * inShape[2], inShape[3]);
        return y;
    }

    @Override public Tensor backward(Tensor dy) {
        dx = Tensor.reuse(dx, inShape);
        PoolKernels.gapBackward(dy.data(), dy.offset(), dx.data(), dx.offset(), inShape[0], inShape[1] * inShape[2], inShape[3]);
        return dx;
    }
}
