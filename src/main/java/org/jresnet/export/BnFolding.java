package org.jresnet.export;

import org.jresnet.nn.BatchNorm2d;
import org.jresnet.nn.Conv2d;

/**
 * An eval-mode BN after a bias-free convolution, folded into the convolution:
 * bn(conv(x)) = s * (W*x - mean) + beta with s = gamma / sqrt(running_var + eps), so
 * W' = s[o] * W[o,...] and b' = beta - s * mean. Computed in double, rounded once to float32.
 */
public final class BnFolding {
    /** A convolution's folded weight {@code [cout, cin, k, k]} (flattened, PyTorch's OIHW) and bias {@code [cout]}. */
    public record FoldedConv(float[] weight, float[] bias) {}

    private BnFolding() {}

    public static FoldedConv fold(Conv2d conv, BatchNorm2d bn) {
        if (conv.bias != null) throw new IllegalArgumentException("BN folding expects a convolution without bias");
        if (bn.channels != conv.cout) {
            throw new IllegalArgumentException("BN of " + bn.channels + " channels after a convolution of " + conv.cout);
        }
        int cout = conv.cout, per = conv.cin * conv.kernel * conv.kernel;
        float[] w = conv.weight.value().toArray();
        float[] gamma = bn.weight.value().toArray(), beta = bn.bias.value().toArray();
        float[] mean = bn.runningMean.value().toArray(), var = bn.runningVar.value().toArray();
        float[] fw = new float[w.length], fb = new float[cout];
        for (int o = 0; o < cout; o++) {
            double s = gamma[o] / Math.sqrt((double) var[o] + BatchNorm2d.EPS);
            for (int i = o * per; i < (o + 1) * per; i++) fw[i] = (float) (s * w[i]);
            fb[o] = (float) (beta[o] - s * mean[o]);
        }
        return new FoldedConv(fw, fb);
    }
}
