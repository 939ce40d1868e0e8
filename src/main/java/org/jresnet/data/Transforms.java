package org.jresnet.data;

import java.util.List;

/**
 * Runs a transform on one decoded image (prediction on files), through the same code as a
 * dataset's images. Which transform a model needs is decided by {@code train.Preprocessing}.
 */
public final class Transforms {
    private Transforms() {}

    /**
     * Applies {@code t} to one decoded image (prediction on files): {@code out} receives
     * {@code t.height() * t.width() * 3} floats at {@code off}. A non-random transform ignores the generator.
     */
    public static void applyToImage(Transform t, RgbImage img, float[] out, int off) {
        t.apply(new SingleImage(img), 0, new Rng(0), out, off);
    }

    /** A one-image dataset, so that file images go through the same transform code as datasets. */
    private record SingleImage(RgbImage img) implements Dataset {
        @Override public int size() { return 1; }
        @Override public List<String> classes() { return List.of("?"); }
        @Override public int label(int i) { return 0; }
        @Override public String name(int i) { return "image"; }
        @Override public RgbImage image(int i) { return img; }
        @Override public int height() { return img.height(); }
        @Override public int width() { return img.width(); }
        @Override public int skipped() { return 0; }
        @Override public boolean skipBad() { return false; }
        @Override public String description() { return "one image"; }
    }
}
