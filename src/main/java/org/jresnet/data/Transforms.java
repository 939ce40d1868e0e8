package org.jresnet.data;

import java.util.List;

/**
 * The default transform pair for a dataset: the paper's CIFAR recipe (pad 4 + random crop + flip;
 * normalisation only for evaluation) for small images of one size, torchvision's ImageNet recipe
 * (RandomResizedCrop 224 + flip; Resize 256 + CenterCrop 224) for everything else.
 */
public final class Transforms {
    private Transforms() {}

    /** Largest side treated as "small images" (CIFAR 32, Tiny ImageNet 64); larger or mixed sizes are ImageNet style. */
    public static final int SMALL_IMAGE_MAX_SIDE = 64;

    public static boolean imagenetStyle(Dataset ds) {
        return ds.height() <= 0 || ds.height() > SMALL_IMAGE_MAX_SIDE || ds.width() > SMALL_IMAGE_MAX_SIDE;
    }

    public static Transform train(Dataset ds, Normalization norm) {
        return imagenetStyle(ds) ? RandomResizedCropFlip.imagenet(norm) : PadCropFlip.train(norm, ds.height(), ds.width());
    }

    public static Transform eval(Dataset ds, Normalization norm) {
        return imagenetStyle(ds) ? ResizeCenterCrop.imagenet(norm) : PadCropFlip.eval(norm, ds.height(), ds.width());
    }

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
