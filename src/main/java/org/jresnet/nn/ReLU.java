package org.jresnet.nn;

import org.jresnet.kernel.Elementwise;
import org.jresnet.tensor.Tensor;

/** y = max(x, 0); backward passes dy where y > 0 (PyTorch's threshold_backward). No parameters. */
public final class ReLU extends Layer {
    private Tensor y, dx;

    @Override public int[] outputShape(int[] in) { return in.clone(); }

    @Override public Tensor forward(Tensor x) {
        y = Tensor.reuse(y, x.shape());
        Elementwise.relu(x.data(), x.offset(), y.data(), y.offset(), x.size());
        return y;
    }

    @Override public Tensor backward(Tensor dy) {
        dx = Tensor.reuse(dx, y.shape());
        Elementwise.reluBackward(y.data(), y.offset(), dy.data(), dy.offset(), dx.data(), dx.offset(), y.size());
        return dx;
    }
}
