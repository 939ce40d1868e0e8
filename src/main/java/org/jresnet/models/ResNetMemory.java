package org.jresnet.models;

import static org.jresnet.nn.MemoryPlan.dx;
import static org.jresnet.nn.MemoryPlan.ifPresent;
import static org.jresnet.nn.MemoryPlan.slot;
import static org.jresnet.nn.TransientBuffers.Slot.SUM;

import org.jresnet.nn.MemoryPlan;
import org.jresnet.nn.Place;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.nn.TransientBuffers;

/**
 * Applies the memory plans to a {@link ResNet}, which itself only describes the network: the
 * stem's plan below and each block's own ({@code BasicBlock.MEMORY_PLAN}, {@code Bottleneck.MEMORY_PLAN}),
 * all over one {@link TransientBuffers}. Shared (what {@link Models#create} builds) keeps
 * training memory near one activation per convolution; a layer's returned gradient is then only
 * valid until the next layer's backward. Own buffers everywhere: for inspecting per-layer
 * outputs and gradients after a pass. Both give the same numbers, bit for bit.
 */
public final class ResNetMemory {
    /**
     * The stem, backward order: the first block's dx (its BRANCH_INPUT) -> maxpool's dx into SUM
     * (free by then) -> bn1 in place there (or, without maxpool, in place in BRANCH_INPUT).
     */
    public static final MemoryPlan STEM = new MemoryPlan(
            ifPresent(dx("maxpool", slot(SUM))),
            dx("bn1", Place.OVER_DY));

    private ResNetMemory() {}

    /**
     * Every plan over one new set of slots, which an inference pass writes its activations to as
     * well ({@link ResidualBlock#setInferenceBuffers}); returns {@code net}.
     */
    public static ResNet shareTransientBuffers(ResNet net) {
        TransientBuffers slots = new TransientBuffers();
        STEM.apply(net, slots);
        net.setInferenceBuffers(slots);
        for (ResidualBlock block : net.blocks()) {
            block.memoryPlan().apply(block, slots);
            block.setInferenceBuffers(slots);
        }
        return net;
    }

    /** Every layer the plans name back to buffers of its own; returns {@code net}. */
    public static ResNet ownBuffers(ResNet net) {
        STEM.applyOwnBuffers(net);
        net.setInferenceBuffers(null);
        for (ResidualBlock block : net.blocks()) {
            block.memoryPlan().applyOwnBuffers(block);
            block.setInferenceBuffers(null);
        }
        return net;
    }
}
