package org.jresnet.nn;

import java.util.List;
import java.util.Map;
import org.jresnet.nn.TransientBuffers.Slot;

/**
 * Where the tensors of one part of a network live: which forward outputs and which gradients go
 * to a slot of the network's {@link TransientBuffers}, and which are written over a tensor the
 * layer already holds. Each block type states its plan as data ({@link BasicBlock#MEMORY_PLAN},
 * {@link Bottleneck#MEMORY_PLAN}), entries in the order the tensors are written; the network's
 * builder applies them ({@code models.ResNetMemory}). Layers without an entry keep their own
 * buffers. The rule a plan must keep: no layer writes the slot it is reading, nor one whose content
 * is still needed. Plans change where values are written, never the values
 * ({@code SharedGradientBuffersTest}: bit for bit).
 */
public record MemoryPlan(List<Entry> entries) {
    /** The layer name of entries about the block itself (its dL/dH and its dx). */
    public static final String BLOCK = "";

    /** Which tensor of a layer an entry places. */
    public enum Role {
        /** The forward output (BN only; a slot means it is recomputed when read again). */
        OUTPUT,
        /** The backward's dx. */
        DX,
        /** A residual block's dL/dH, H = F(x) + S(x): the gradient below its final ReLU. */
        SUM_GRADIENT
    }

    /**
     * {@code layer} (a dotted child name, {@link #BLOCK} for the block itself) writes its
     * {@code role} tensor to {@code place}. {@code ifPresent}: the layer may be missing (a shortcut
     * projection exists only where the shape changes); otherwise a missing layer is an error.
     */
    public record Entry(String layer, Role role, Place place, boolean ifPresent) {}

    public MemoryPlan(Entry... entries) { this(List.of(entries)); }

    public static Entry output(String layer, Place place) { return new Entry(layer, Role.OUTPUT, place, false); }

    public static Entry dx(String layer, Place place) { return new Entry(layer, Role.DX, place, false); }

    public static Entry sumGradient(Place place) { return new Entry(BLOCK, Role.SUM_GRADIENT, place, false); }

    /** The same entry, for a layer that may be missing (the projection shortcut's). */
    public static Entry ifPresent(Entry e) { return new Entry(e.layer(), e.role(), e.place(), true); }

    public static Place slot(Slot slot) { return Place.slot(slot); }

    /** Applies every entry to the layers under {@code root}, slots in {@code buffers}. */
    public void apply(Layer root, TransientBuffers buffers) { apply(root, buffers, false); }

    /** Undoes the plan under {@code root}: every layer it names writes to its own buffers again. */
    public void applyOwnBuffers(Layer root) { apply(root, null, true); }

    private void apply(Layer root, TransientBuffers buffers, boolean own) {
        Map<String, Layer> layers = root.modules();
        for (Entry e : entries) {
            Layer layer = layers.get(e.layer().isEmpty() ? "" : e.layer() + ".");   // modules() names end in '.' 
            if (layer == null) {
                if (e.ifPresent()) continue;
                throw new IllegalArgumentException("memory plan names " + e.layer() + ", which "
                        + root.getClass().getSimpleName() + " does not have");
            }
            Place p = own ? Place.OWN : e.place();
            TransientBuffers b = own ? null : buffers;
            switch (e.role()) {
                case OUTPUT -> ((BatchNorm2d) layer).placeOutput(p, b);
                case SUM_GRADIENT -> ((ResidualBlock) layer).placeSumGradient(p, b);
                case DX -> {
                    if (layer instanceof BatchNorm2d bn) bn.placeDx(p, b);
                    else if (layer instanceof Conv2d conv) conv.placeDx(p, b);
                    else if (layer instanceof MaxPool2d pool) pool.placeDx(p, b);
                    else if (layer instanceof ResidualBlock block) block.placeDx(p, b);
                    else throw new IllegalArgumentException("no placement for the dx of " + layer.getClass().getSimpleName());
                }
            }
        }
    }

    /** Checks that a layer may write to {@code p} (others than BN write only to their own buffer or a slot). */
    static void requireOwnOrSlot(Place p, TransientBuffers b, String layer) {
        if (p.kind() != Place.Kind.OWN && p.kind() != Place.Kind.SLOT) {
            throw new IllegalArgumentException(layer + " cannot write over " + p);
        }
        if (p.kind() == Place.Kind.SLOT && b == null) throw new IllegalArgumentException(layer + ": slot " + p + " without buffers");
    }
}
