package org.jresnet.nn;

import org.jresnet.nn.TransientBuffers.Slot;

/**
 * Where a layer writes one of its tensors (its forward output or its backward dx): into a buffer
 * of its own, into a slot of the network's {@link TransientBuffers}, or over a tensor it already
 * holds. Blocks state these in their {@link MemoryPlan}; layers take them from the plan's applier.
 */
public record Place(Kind kind, Slot slot) {
    /** The four places; BN's backward may use any, other layers only {@link #OWN} or a {@link #SLOT}. */
    public enum Kind {
        /** A buffer the layer owns and reuses: valid until the layer's next pass. */
        OWN,
        /** A shared slot: valid until the slot's next writer. */
        SLOT,
        /** Over the incoming gradient dy (the caller no longer needs it). */
        OVER_DY,
        /** Over the layer's kept forward input (nobody reads it after this backward). */
        OVER_INPUT
    }

    public static final Place OWN = new Place(Kind.OWN, null);
    public static final Place OVER_DY = new Place(Kind.OVER_DY, null);
    public static final Place OVER_INPUT = new Place(Kind.OVER_INPUT, null);

    public Place {
        if ((kind == Kind.SLOT) != (slot != null)) throw new IllegalArgumentException("a slot goes with Kind.SLOT only");
    }

    public static Place slot(Slot slot) { return new Place(Kind.SLOT, slot); }

    @Override public String toString() { return kind == Kind.SLOT ? slot.name() : kind.name(); }
}
