package org.jresnet.data;

/**
 * Turns image {@code i} of a dataset into normalised float32 HWC values of a fixed output size.
 * Random transforms draw only from the {@link Rng} they are given, which the batch loader keys by
 * (seed, epoch, image index).
 */
public interface Transform {
    int height();

    int width();

    /** Writes {@code height()*width()*3} floats, {@code out[off + (y*width + x)*3 + c]}. */
    void apply(Dataset ds, int i, Rng rng, float[] out, int off);

    /** The transform of 0-based {@code epoch}: itself, unless it changes over the run ({@link CropSchedule}). */
    default Transform forEpoch(int epoch) { return this; }
}
