package org.jresnet.nn;

import org.jresnet.tensor.Tensor;

/**
 * Buffers shared by the layers of one network for what lives only briefly. A gradient lives only
 * until the layer below has consumed it, so instead of every layer owning a dx the size of its
 * input (as much memory again as all the activations), layers write into a few numbered slots;
 * the network assigns slots so that no layer writes the slot it is reading or one whose content
 * is still needed (see {@link ResidualBlock#shareGradientBuffers}). A slot's array grows to the
 * largest request and is kept across steps.
 *
 * <p>Two kinds of forward outputs live in slots too: a block's inner BN+ReLU outputs (INNER_A,
 * INNER_B), read once by the next convolution and recomputed from the BN's input when the
 * backward needs them again ({@link BatchNorm2d#output()}), and a projection shortcut's BN
 * output (SUM), read once by the block's add. In the backward, INNER_A/B then hold those
 * recomputed outputs and, over them, the gradients of the branch's inner layers.
 *
 * <p>Consequence for callers: a gradient returned by a layer wired to a slot is valid only until
 * the next layer's backward, not until the next pass.
 */
public final class GradientBuffers {
    /** Slots used by a ResNet: the block's dL/dH, the branch's two inner activations, the branch input gradient, the projection's. */
    public static final int SUM = 0, INNER_A = 1, INNER_B = 2, BRANCH_INPUT = 3, SHORTCUT_INPUT = 4;
    private static final int SLOTS = 5;

    private final float[][] arrays = new float[SLOTS][];

    /**
     * A tensor of {@code shape} over slot {@code slot}. Callers must not keep it: when a slot grows,
     * an old view would keep the smaller array alive.
     */
    public Tensor view(int slot, int[] shape) {
        int n = Tensor.numel(shape);
        float[] a = arrays[slot];
        if (a == null || a.length < n) {
            a = new float[n];
            arrays[slot] = a;
        }
        return new Tensor(a, 0, shape);
    }

    /** Floats held by all slots (for memory reports). */
    public long floats() {
        long n = 0;
        for (float[] a : arrays) if (a != null) n += a.length;
        return n;
    }
}
