package org.jresnet.explain;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.models.ResNet;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;

/**
 * The class activation map of one image: where, in the input, the evidence for a class lies.
 *
 * <p>Why no backward pass: these networks end in global average pooling then fc, so with {@code A}
 * the last stage's output ({@code h x w x C}, after the last block's ReLU) the logit of class
 * {@code c} is {@code b_c + sum_k W[c,k] * (1/(h*w)) * sum_ij A[i,j,k]}, and its gradient with
 * respect to {@code A[i,j,k]} is {@code W[c,k] / (h*w)} at every pixel. Grad-CAM (Selvaraju et
 * al., 2017) on the last stage (torchcam's and pytorch-grad-cam's usual target, {@code layer4})
 * weights channel {@code k} by the spatial mean of that gradient, {@code W[c,k] / (h*w)}, and takes
 * {@code ReLU(sum_k weight_k * A[:,:,k])}: that is {@code ReLU(sum_k W[c,k] * A[:,:,k])}, CAM (Zhou
 * et al., 2016), times the positive constant {@code 1/(h*w)}, which the min-max normalisation
 * removes. So the closed form here gives Grad-CAM's map exactly, from one inference pass. (The fc
 * bias does not depend on {@code A} and is in neither map.)
 *
 * <p>The map ({@link #lowRes}, {@code h x w}) is then resized to the input's {@code H x W} by
 * {@link Bilinear} (PyTorch's {@code align_corners=False}) and min-max normalised to [0,1]
 * ({@link #normalise}) into {@link #map}.
 *
 * @param classIndex  the class explained
 * @param probability its softmax probability
 * @param logits      the image's logits (as {@link ResNet#infer} gives them, bit for bit)
 * @param lowRes      {@code ReLU(sum_k W[c,k] A[:,:,k])}, {@code lowH x lowW}, row-major
 * @param map         {@link #lowRes} resized to {@code height x width} and normalised to [0,1]
 */
public record ClassActivationMap(int classIndex, double probability, float[] logits,
                                 int lowH, int lowW, float[] lowRes, int height, int width, float[] map) {

    /** Explain the top-1 class (the first of equal logits, as {@code predict} lists them). */
    public static final int TOP1 = -1;

    /**
     * The maps of a batch: image {@code i} of {@code x} (NHWC {@code [N,H,W,3]}, preprocessed as the
     * model expects) for class {@code classes[i]}, or its top-1 class where that is {@link #TOP1}.
     * {@code model} must be in eval mode.
     */
    public static List<ClassActivationMap> compute(ResNet model, Tensor x, int... classes) {
        int[] s = x.shape();
        if (s.length != 4 || s[3] != 3) throw new IllegalArgumentException("expected NHWC [N,H,W,3] images, got " + x.shapeString());
        int n = s[0], height = s[1], width = s[2];
        if (classes.length != n) throw new IllegalArgumentException(classes.length + " classes for " + n + " images");
        int k = model.fc.out;
        for (int c : classes) {
            if (c != TOP1 && (c < 0 || c >= k)) throw new IllegalArgumentException("class index " + c + " out of range 0.." + (k - 1));
        }
        Tensor a = model.lastStage(x);
        int h = a.dim(1), w = a.dim(2), ch = a.dim(3);
        Tensor logits = model.head(a);                // reads a, leaves it as it is
        List<ClassActivationMap> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] li = java.util.Arrays.copyOfRange(logits.data(), logits.offset() + i * k, logits.offset() + (i + 1) * k);
            int c = classes[i] == TOP1 ? SoftmaxCrossEntropy.argmax(li, 0, k) : classes[i];
            float[] low = cam(model, a.data(), a.offset() + i * h * w * ch, h * w, ch, c);
            float[] map = normalise(Bilinear.resize(low, h, w, height, width));
            out.add(new ClassActivationMap(c, SoftmaxCrossEntropy.probabilities(li, 0, k)[c], li, h, w, low, height, width, map));
        }
        return out;
    }

    /** {@code ReLU(sum_k W[c,k] * A[p,k])} for each of the {@code pixels} pixels of one image's NHWC stage output at {@code off}. */
    static float[] cam(ResNet model, float[] a, int off, int pixels, int channels, int c) {
        Tensor wt = model.fc.weight.value();          // [classes, channels], PyTorch's layout
        float[] wd = wt.data();
        int wo = wt.offset() + c * channels;
        float[] out = new float[pixels];
        for (int p = 0; p < pixels; p++) {
            double sum = 0;
            int base = off + p * channels;
            for (int ch = 0; ch < channels; ch++) sum += (double) wd[wo + ch] * a[base + ch];
            out[p] = (float) Math.max(0, sum);
        }
        return out;
    }

    /**
     * Min-max normalisation to [0,1], pytorch-grad-cam's {@code scale_cam_image}
     * ({@code (m - min) / max(m - min)}) without its {@code 1e-7} guard in the denominator, which
     * would make the result depend on the map's scale (CAM's and Grad-CAM's differ by
     * {@code h*w}); instead a constant map, the all-zero map of a class with no positive evidence
     * among them, becomes all zeros. In place; returns {@code m}.
     */
    public static float[] normalise(float[] m) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : m) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double range = (double) max - min;
        for (int i = 0; i < m.length; i++) m[i] = range > 0 ? (float) ((m[i] - (double) min) / range) : 0f;
        return m;
    }
}
