package org.jresnet.kernel;

import java.util.function.Consumer;

/**
 * A convolution's weights as a forward algorithm packs them (GEMM panels, or Winograd's
 * transformed weights), kept between calls
 * while the weights do not change: at inference the same weights serve every batch, and packing
 * them (a strided gather of every weight) costs as much as a batch-1 forward of a 1x1 layer.
 * The owner clears it whenever the weights may have changed.
 *
 * <p>Safe for concurrent callers: a network's inference replicas share one cache per convolution
 * (a ResNet-50's caches are 124 MB), so an array once handed out is never packed again (a caller
 * may still be reading it); a new packing goes to a new array.
 */
public final class PackedWeightCache {
    /** The packings, one per forward algorithm. */
    static final int SHIFTED = 0, ROW_DIRECT = 1, WINOGRAD = 2, WINOGRAD_F4 = 3;

    /** Which packing {@link #panels} holds (the forward path that made it); -1: none. */
    private int layout = -1;
    private float[] panels = new float[0];

    /** Forgets the panels and lets their memory go (training keeps none: weights change every step). */
    public synchronized void clear() {
        layout = -1;
        panels = new float[0];
    }

    synchronized boolean holds(int layout) { return this.layout == layout; }

    /** The panels of {@code layout}, packed by {@code pack} into a new array of {@code size} unless already held. */
    synchronized float[] get(int layout, int size, Consumer<float[]> pack) {
        if (this.layout != layout) {
            float[] p = new float[size];
            pack.accept(p);
            panels = p;
            this.layout = layout;
        }
        return panels;
    }

    /**
     * The weights packed by {@code pack} into {@code size} floats: from {@code cache} (packing them
     * there if it lacks them), or, with no cache (training: the weights change every step), packed
     * into the workspace's {@link KernelWorkspace#PACKED_B} on every call.
     */
    static float[] panels(PackedWeightCache cache, int layout, int size, KernelWorkspace ws, Consumer<float[]> pack) {
        if (cache != null) return cache.get(layout, size, pack);
        float[] b = ws.floats(KernelWorkspace.PACKED_B, size);
        pack.accept(b);
        return b;
    }
}
