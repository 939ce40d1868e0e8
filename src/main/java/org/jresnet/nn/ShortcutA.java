package org.jresnet.nn;

import org.jresnet.tensor.Tensor;

/**
 * Option-A shortcut where the shape changes: {@code x[:, ::s, ::s, :]} followed by zero channels,
 * {@code (cout - cin) / 2} before and the rest after (the common PyTorch CIFAR implementation's
 * {@code F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes//4, planes//4))}). No parameters.
 * [N,H,W,cin] -> [N,ceil(H/s),ceil(W/s),cout].
 */
public final class ShortcutA extends Layer {
    public final int cin, cout, stride, before;
    private Tensor y, dx;
    private int[] inShape;

    public ShortcutA(int cin, int cout, int stride) {
        if (cout < cin) throw new IllegalArgumentException("option-A shortcut cannot drop channels: " + cin + " -> " + cout);
        this.cin = cin;
        this.cout = cout;
        this.stride = stride;
        this.before = (cout - cin) / 2;
    }

    @Override public int[] outputShape(int[] in) {
        if (in.length != 4 || in[3] != cin) {
            throw new IllegalArgumentException("ShortcutA expects [N,H,W," + cin + "], got " + java.util.Arrays.toString(in));
        }
        return new int[] {in[0], (in[1] - 1) / stride + 1, (in[2] - 1) / stride + 1, cout};
    }

    @Override public Tensor forward(Tensor x) { return forward(x, null); }

    /**
     * The shortcut into {@code out} (of the output's shape, not holding x; null: this layer's own
     * buffer): an inference pass's slot.
     */
    Tensor forward(Tensor x, Tensor out) {
        inShape = x.shape();
        int[] o = outputShape(inShape);
        Tensor y = out == null ? (this.y = Tensor.reuse(this.y, o)) : requireOutputShape(out, o);
        y.fill(0f);
        float[] xd = x.data(), yd = y.data();
        int h = inShape[1], w = inShape[2];
        for (int n = 0; n < o[0]; n++) {
            for (int oy = 0; oy < o[1]; oy++) {
                for (int ox = 0; ox < o[2]; ox++) {
                    int src = x.offset() + ((n * h + oy * stride) * w + ox * stride) * cin;
                    int dst = y.offset() + ((n * o[1] + oy) * o[2] + ox) * cout + before;
                    System.arraycopy(xd, src, yd, dst, cin);
                }
            }
        }
        return y;
    }

    /** dx gets dy's channels [before, before + cin) at the even positions, zero elsewhere. */
    @Override public Tensor backward(Tensor dy) {
        int[] o = outputShape(inShape);
        dx = Tensor.reuse(dx, inShape);
        dx.fill(0f);
        float[] g = dy.data(), dxd = dx.data();
        int h = inShape[1], w = inShape[2];
        for (int n = 0; n < o[0]; n++) {
            for (int oy = 0; oy < o[1]; oy++) {
                for (int ox = 0; ox < o[2]; ox++) {
                    int src = dy.offset() + ((n * o[1] + oy) * o[2] + ox) * cout + before;
                    int dst = dx.offset() + ((n * h + oy * stride) * w + ox * stride) * cin;
                    System.arraycopy(g, src, dxd, dst, cin);
                }
            }
        }
        return dx;
    }
}
