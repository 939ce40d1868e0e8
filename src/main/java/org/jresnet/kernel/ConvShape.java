package org.jresnet.kernel;

/**
 * Geometry of a 2-D convolution: input {@code [n, h, w, cin]} (NHWC), weight
 * {@code [cout, cin, kh, kw]} (PyTorch's OIHW), output {@code [n, oh, ow, cout]}. Square stride
 * and symmetric zero padding, as every ResNet layer uses.
 */
public record ConvShape(int n, int h, int w, int cin, int cout, int kh, int kw, int stride, int pad) {
    public ConvShape {
        if (n < 1 || h < 1 || w < 1 || cin < 1 || cout < 1 || kh < 1 || kw < 1 || stride < 1 || pad < 0) {
            throw new IllegalArgumentException("invalid convolution " + this);
        }
        if (h + 2L * pad < kh || w + 2L * pad < kw) {   // long: h near Integer.MAX_VALUE must not wrap
            throw new IllegalArgumentException("kernel " + kh + "x" + kw + " larger than padded input " + h + "x" + w);
        }
    }

    public int oh() { return (h + 2 * pad - kh) / stride + 1; }
    public int ow() { return (w + 2 * pad - kw) / stride + 1; }
    public int inputSize() { return n * h * w * cin; }
    public int outputSize() { return n * oh() * ow() * cout; }
    public int weightSize() { return cout * cin * kh * kw; }
    /** Multiply-adds of the forward pass for the whole batch. */
    public long macs() { return (long) n * oh() * ow() * cout * cin * kh * kw; }
}
