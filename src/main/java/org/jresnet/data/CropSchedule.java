package org.jresnet.data;

/**
 * Smaller training crops first, then full-size ones: {@code early} for epochs {@code 0..epochs-1}
 * (0-based), {@code late} after. A ResNet ends in global average pooling, so the same network
 * trains on either size; a convolution's cost is proportional to its pixels, so the early epochs
 * cost {@code (crop/size)^2} of a full one (a form of progressive resizing, as in fast.ai's
 * DAWNBench entries, with crops at the image's own scale instead of shrunk images, so the filters
 * see objects at the size they will be tested at).
 */
public final class CropSchedule implements Transform {
    private final Transform early, late;
    private final int epochs;

    public CropSchedule(Transform early, int epochs, Transform late) {
        if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        this.early = early;
        this.epochs = epochs;
        this.late = late;
    }

    @Override public Transform forEpoch(int epoch) { return epoch < epochs ? early : late; }

    /** The full size, which evaluation and the last epochs see. */
    @Override public int height() { return late.height(); }
    @Override public int width() { return late.width(); }

    @Override public void apply(Dataset ds, int i, Rng rng, float[] out, int off) { late.apply(ds, i, rng, out, off); }
}
