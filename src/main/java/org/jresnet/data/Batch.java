package org.jresnet.data;

import org.jresnet.tensor.Tensor;

/**
 * One batch: {@code images} [B, H, W, 3] normalised float32 (NHWC), {@code labels[b]} and the
 * dataset {@code indices[b]} they came from; batch {@code index} of epoch {@code epoch}.
 */
public record Batch(int epoch, int index, Tensor images, int[] labels, int[] indices) {
    public int size() { return labels.length; }
}
