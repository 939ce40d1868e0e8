package org.jresnet.nn;

import java.util.function.Function;
import org.jresnet.kernel.ConvScalar;
import org.jresnet.kernel.ConvShape;
import org.jresnet.kernel.ConvSimd;
import org.jresnet.kernel.Epilogue;
import org.jresnet.kernel.KernelWorkspace;
import org.jresnet.kernel.PackedWeightCache;
import org.jresnet.kernel.Simd;
import org.jresnet.tensor.Tensor;

/**
 * 2-D convolution, NHWC activations, weight {@code [cout, cin, k, k]} as PyTorch stores it.
 * Key names: {@code weight} (and {@code bias} when enabled; ResNets use none, BN follows).
 */
public final class Conv2d extends Layer {
    public final int cin, cout, kernel, stride, pad;
    public final Parameter weight;
    public final Parameter bias;

    private Tensor x;   // input of the last forward, for backward
    private Tensor y;   // [N, OH, OW, cout]
    private Tensor dx;  // [N, H, W, cin], own buffer
    private Place dxPlace = Place.OWN;   // OWN or a slot of `slots`, as the block's MemoryPlan says
    private TransientBuffers slots;
    private boolean inputGradient = true;
    /**
     * Weights packed for the SIMD forward, reused while in eval mode (weights fixed); one object
     * for a network and its inference replicas ({@link #shareDerivedState}).
     */
    private PackedWeightCache packed = new PackedWeightCache();

    public Conv2d(int cin, int cout, int kernel, int stride, int pad, boolean withBias) {
        this.cin = cin;
        this.cout = cout;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.weight = param("weight", cout, cin, kernel, kernel);
        this.bias = withBias ? param("bias", cout) : null;
    }

    public ConvShape shapeFor(int[] in) {
        if (in.length != 4 || in[3] != cin) {
            throw new IllegalArgumentException("Conv2d(" + cin + "->" + cout + ") expects [N,H,W," + cin
                    + "], got " + java.util.Arrays.toString(in));
        }
        return new ConvShape(in[0], in[1], in[2], cin, cout, kernel, kernel, stride, pad);
    }

    @Override public int[] outputShape(int[] in) {
        ConvShape s = shapeFor(in);
        return new int[] {in[0], s.oh(), s.ow(), cout};
    }

    @Override public long macs(int[] in) { return shapeFor(in).macs(); }

    @Override public Tensor forward(Tensor x) {
        ConvShape s = shapeFor(x.shape());
        this.x = x;
        y = Tensor.reuse(y, s.n(), s.oh(), s.ow(), cout);
        return forwardInto(s, x, null, y);
    }

    /**
     * conv(x), then {@code epilogue} on the output: an eval-mode BN and what follows it
     * ({@link BatchNorm2d#forwardAfter}), applied by the SIMD kernels to each block of output as
     * they store it. Only an inference pass fuses, so nothing is kept for a backward: holding x
     * would keep the caller's images (the stem's input) or a freed activation alive. The output
     * goes to {@code out} (a slot of the pass, of the output's shape), or with null to the
     * layer's own buffer.
     */
    Tensor forward(Tensor x, Epilogue epilogue, Tensor out) {
        ConvShape s = shapeFor(x.shape());
        this.x = null;
        out = out == null ? (y = Tensor.reuse(y, s.n(), s.oh(), s.ow(), cout)) : requireOutputShape(out, s.n(), s.oh(), s.ow(), cout);
        return forwardInto(s, x, epilogue, out);
    }

    /**
     * conv(x) with {@code epilogue} written over {@code res}, the epilogue's own residual (the
     * same array and offset): a residual block's last convolution at inference, whose shortcut
     * nothing reads afterwards. The output's lines are then already in cache when it is written
     * (a store to a line that is not reads it from memory first) and the block needs no array of
     * its own. Where the algorithm for {@code x}'s shape cannot do that
     * ({@link ConvSimd#outputMayOverwriteResidual}), the output goes to {@code elsewhere}'s tensor
     * for the output shape (it must not hold x or res), or with null to the layer's own buffer.
     */
    Tensor forwardOverResidual(Tensor x, Epilogue epilogue, Tensor res, Function<int[], Tensor> elsewhere) {
        ConvShape s = shapeFor(x.shape());
        if (bias != null || !ConvSimd.outputMayOverwriteResidual(s) || !res.hasShape(s.n(), s.oh(), s.ow(), cout)
                || res.data() == x.data()) {
            return forward(x, epilogue, elsewhere == null ? null : elsewhere.apply(outputShape(x.shape())));
        }
        this.x = null;
        return forwardInto(s, x, epilogue, res);
    }

    private Tensor forwardInto(ConvShape s, Tensor x, Epilogue epilogue, Tensor y) {
        Tensor w = weight.value();
        boolean fuse = epilogue != null && bias == null;
        if (Simd.enabled()) {
            ConvSimd.forward(s, x.data(), x.offset(), w.data(), w.offset(), y.data(), y.offset(),
                    KernelWorkspace.forThisThread(), isTraining() ? null : packed, fuse ? epilogue : null);
        } else {
            ConvScalar.forward(s, x.data(), x.offset(), w.data(), w.offset(), y.data(), y.offset());
        }
        if (bias != null) {
            float[] yd = y.data();
            Tensor b = bias.value();
            for (int p = 0, o = y.offset(); p < y.size() / cout; p++, o += cout) {
                for (int c = 0; c < cout; c++) yd[o + c] += b.get(c);
            }
        }
        if (epilogue != null && !(fuse && Simd.enabled())) epilogue.applyAll(y.data(), y.offset(), y.size() / cout, cout);
        return y;
    }

    @Override protected void dropDerivedState() { packed.clear(); }

    @Override protected void shareDerivedState(Layer from) { packed = ((Conv2d) from).packed; }

    /** Where backward writes dx: its own buffer or a slot of {@code buffers}. Set by a {@link MemoryPlan}. */
    void placeDx(Place p, TransientBuffers buffers) {
        MemoryPlan.requireOwnOrSlot(p, buffers, "Conv2d's dx");
        dxPlace = p;
        slots = buffers;
    }

    /**
     * Off: {@link #backward} computes only the weight (and bias) gradients and returns null. A
     * network's first convolution needs no dL/dimage to train, and that pass would cost as much
     * as the forward.
     */
    public void setInputGradient(boolean on) { inputGradient = on; }

    public boolean inputGradient() { return inputGradient; }

    @Override public Tensor backward(Tensor dy) { return backward(dy, x); }

    /**
     * Backward with the last forward's input handed in again, e.g. recomputed by the BN that
     * produced it ({@link BatchNorm2d#output()}). dx may be wired to the slot that holds x: the
     * weight gradient reads x before the input gradient is written.
     */
    public Tensor backward(Tensor dy, Tensor x) {
        if (this.x == null) {
            throw backwardAfterInference();
        }
        if (!x.hasShape(this.x.shape())) throw new IllegalArgumentException("input " + x + " does not match the forward's " + this.x);
        ConvShape s = shapeFor(x.shape());
        Tensor dx = !inputGradient ? null
                : dxPlace.kind() == Place.Kind.OWN ? (this.dx = Tensor.reuse(this.dx, x.shape()))
                : slots.view(dxPlace.slot(), x.shape());
        Tensor w = weight.value(), gw = weight.grad();
        if (Simd.enabled()) {
            KernelWorkspace ws = KernelWorkspace.forThisThread();
            ConvSimd.backwardWeights(s, x.data(), x.offset(), dy.data(), dy.offset(), gw.data(), gw.offset(), ws);
            if (dx != null) {
                ConvSimd.backwardData(s, dy.data(), dy.offset(), w.data(), w.offset(), dx.data(), dx.offset(), ws);
            }
        } else {
            ConvScalar.backwardWeights(s, x.data(), x.offset(), dy.data(), dy.offset(), gw.data(), gw.offset());
            if (dx != null) ConvScalar.backwardData(s, dy.data(), dy.offset(), w.data(), w.offset(), dx.data(), dx.offset());
        }
        if (bias != null) {
            Tensor gb = bias.grad();
            for (int p = 0, o = dy.offset(); p < dy.size() / cout; p++, o += cout) {
                for (int c = 0; c < cout; c++) gb.set(c, gb.get(c) + dy.data()[o + c]);
            }
        }
        return dx;
    }
}
