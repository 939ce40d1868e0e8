package org.jresnet.nn;

import java.util.EnumMap;
import java.util.Map;
import org.jresnet.tensor.Tensor;

/**
 * A few named buffers shared by the layers of one network for tensors that live only briefly:
 * gradients (one lives only until the layer below has consumed it) and forward activations that
 * are read once and recomputed when the backward needs them again. Instead of every layer owning
 * a dx the size of its input (as much memory again as all the activations), layers write into
 * these slots where their block's {@link MemoryPlan} says. A slot's array grows to the largest
 * request and is kept across steps.
 *
 * <p>A fused inference pass ({@code ResNet.infer}) writes its activations to the same slots: the
 * inner outputs where the plan puts their BN's output, the stem's and the blocks' outputs taking
 * turns in {@link Slot#SUM} and {@link Slot#BRANCH_INPUT} ({@link #viewApartFrom}). A network
 * that only infers then holds four activation-sized arrays instead of one per layer, and one that
 * also trains holds no more than its training step already does (at the same batch size): between
 * steps nothing in a slot is needed.
 *
 * <p>Consequence for callers: a tensor a layer wrote into a slot is valid only until the slot's
 * next writer (for a gradient: the next layer's backward), not until the next pass.
 */
public final class TransientBuffers {
    /** The slots of a ResNet; each block's {@link MemoryPlan} says what it puts where, and when. */
    public enum Slot {
        /** A block's dL/dH (H = F(x) + S(x)); in the forward, a projection shortcut's BN output. */
        SUM,
        /** The branch's inner BN+ReLU outputs (read once, recomputed), then the gradients over them. */
        INNER_A, INNER_B,
        /** The first convolution's dx, then the shortcut's dx added: the block's dx. */
        BRANCH_INPUT,
        /** A projection shortcut's convolution dx. */
        SHORTCUT_INPUT
    }

    private final Map<Slot, float[]> arrays = new EnumMap<>(Slot.class);

    /**
     * A tensor of {@code shape} over {@code slot}. Callers must not keep it: when a slot grows,
     * an old view would keep the smaller array alive.
     */
    public Tensor view(Slot slot, int[] shape) {
        int n = Tensor.numel(shape);
        float[] a = arrays.get(slot);
        if (a == null || a.length < n) {
            a = new float[n];
            arrays.put(slot, a);
        }
        return new Tensor(a, 0, shape);
    }

    /**
     * A view of {@code first}, or of {@code second} when {@code keep} lies in first's array: for
     * an inference pass, whose block outputs take turns in two slots so that a block's input
     * (read by its shortcut and its first convolution) is never written over while it is read.
     */
    public Tensor viewApartFrom(Tensor keep, Slot first, Slot second, int[] shape) {
        float[] a = arrays.get(first);
        return view(a != null && keep != null && keep.data() == a ? second : first, shape);
    }

    /** Floats held by all slots (for memory reports). */
    public long floats() {
        long n = 0;
        for (float[] a : arrays.values()) n += a.length;
        return n;
    }
}
