package org.jresnet.nn;

import org.jresnet.kernel.Elementwise;
import org.jresnet.engine.Engine;
import org.jresnet.tensor.Tensor;

/** y = x W^T + b: x [N,in], weight [out,in] (PyTorch layout), bias [out], y [N,out]. */
public final class Linear extends Layer {
    public final int in, out;
    public final Parameter weight;
    public final Parameter bias;
    private Tensor x, y, dx;

    public Linear(int in, int out) {
        this.in = in;
        this.out = out;
        weight = param("weight", out, in);
        bias = param("bias", out);
    }

    private void check(int[] s) {
        if (s.length != 2 || s[1] != in) {
            throw new IllegalArgumentException("Linear(" + in + "->" + out + ") expects [N," + in + "], got "
                    + java.util.Arrays.toString(s));
        }
    }

    @Override public int[] outputShape(int[] s) { check(s); return new int[] {s[0], out}; }

    @Override public long macs(int[] s) { check(s); return (long) s[0] * in * out; }

    @Override public Tensor forward(Tensor x) {
        check(x.shape());
        this.x = x;
        int n = x.dim(0);
        y = Tensor.reuse(y, n, out);
        float[] xd = x.data(), yd = y.data(), w = weight.value().data(), b = bias.value().data();
        int xo = x.offset(), yo = y.offset(), wo = weight.value().offset(), bo = bias.value().offset();
        Engine.current().parallel().forRange(n * out, (c, s, e) -> {
            for (int k = s; k < e; k++) {
                int i = k / out, o = k % out;
                yd[yo + k] = Elementwise.dot(xd, xo + i * in, w, wo + o * in, in) + b[bo + o];
            }
        });
        return y;
    }

    @Override public Tensor backward(Tensor dy) {
        int n = x.dim(0);
        dx = Tensor.reuse(dx, n, in);
        float[] xd = x.data(), g = dy.data(), dxd = dx.data();
        float[] w = weight.value().data(), gw = weight.grad().data(), gb = bias.grad().data();
        int xo = x.offset(), go = dy.offset(), dxo = dx.offset();
        int wo = weight.value().offset(), gwo = weight.grad().offset(), gbo = bias.grad().offset();
        // dx[n,:] = sum_o dy[n,o] W[o,:]
        Engine.current().parallel().forRange(n, (c, s, e) -> {
            for (int i = s; i < e; i++) {
                java.util.Arrays.fill(dxd, dxo + i * in, dxo + (i + 1) * in, 0f);
                for (int o = 0; o < out; o++) Elementwise.axpy(g[go + i * out + o], w, wo + o * in, dxd, dxo + i * in, in);
            }
        });
        // dW[o,:] += sum_n dy[n,o] x[n,:];  db[o] += sum_n dy[n,o]
        Engine.current().parallel().forRange(out, (c, s, e) -> {
            for (int o = s; o < e; o++) {
                float sb = 0f;
                for (int i = 0; i < n; i++) {
                    float gi = g[go + i * out + o];
                    Elementwise.axpy(gi, xd, xo + i * in, gw, gwo + o * in, in);
                    sb += gi;
                }
                gb[gbo + o] += sb;
            }
        });
        return dx;
    }
}
