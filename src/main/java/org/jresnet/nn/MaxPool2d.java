package org.jresnet.nn;

import org.jresnet.kernel.ConvShape;
import org.jresnet.kernel.PoolKernels;
import org.jresnet.tensor.Tensor;

/** Max pooling k x k, stride s, padding p counted as -inf (PyTorch's MaxPool2d). [N,H,W,C] -> [N,OH,OW,C]. */
public final class MaxPool2d extends Layer {
    public final int kernel, stride, pad;
    private Tensor x, y, dx;      // x [N,H,W,C] and y kept: backward finds each window's winner again
    private int[] inShape;
    private Place dxPlace = Place.OWN;   // OWN or a slot of `slots`, as the block's MemoryPlan says
    private TransientBuffers slots;

    public MaxPool2d(int kernel, int stride, int pad) {
        if (pad * 2 > kernel) throw new IllegalArgumentException("pad should be at most half of kernel size");
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
    }

    private ConvShape shapeFor(int[] in) {
        if (in.length != 4) throw new IllegalArgumentException("MaxPool2d expects [N,H,W,C], got " + java.util.Arrays.toString(in));
        return new ConvShape(in[0], in[1], in[2], in[3], in[3], kernel, kernel, stride, pad);
    }

    @Override public int[] outputShape(int[] in) {
        ConvShape s = shapeFor(in);
        return new int[] {in[0], s.oh(), s.ow(), in[3]};
    }

    @Override public Tensor forward(Tensor x) {
        this.x = x;
        inShape = x.shape();
        ConvShape s = shapeFor(inShape);
        y = Tensor.reuse(y, outputShape(inShape));
        PoolKernels.maxPoolForward(s, x.data(), x.offset(), y.data(), y.offset());
        return y;
    }

    /**
     * The forward of an inference pass, into {@code out} (of the output's shape, not holding x;
     * null: this layer's own buffer). Nothing is kept for a backward: x and y would keep two
     * activations alive between passes.
     */
    public Tensor infer(Tensor x, Tensor out) {
        int[] in = x.shape(), o = outputShape(in);
        out = out == null ? (y = Tensor.reuse(y, o)) : requireOutputShape(out, o);
        this.x = null;
        PoolKernels.maxPoolForward(shapeFor(in), x.data(), x.offset(), out.data(), out.offset());
        return out;
    }

    /** Where backward writes dx: its own buffer or a slot of {@code buffers}. Set by a {@link MemoryPlan}. */
    void placeDx(Place p, TransientBuffers buffers) {
        MemoryPlan.requireOwnOrSlot(p, buffers, "MaxPool2d's dx");
        dxPlace = p;
        slots = buffers;
    }

    @Override public Tensor backward(Tensor dy) {
        if (x == null) {
            throw backwardAfterInference();
        }
        Tensor dx = dxPlace.kind() == Place.Kind.OWN ? (this.dx = Tensor.reuse(this.dx, inShape))
                : slots.view(dxPlace.slot(), inShape);
        PoolKernels.maxPoolBackward(shapeFor(inShape), x.data(), x.offset(), y.data(), y.offset(), dy.data(), dy.offset(),
                dx.data(), dx.offset());
        return dx;
    }
}
