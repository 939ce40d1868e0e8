package org.jresnet.data;

import org.jresnet.io.Normalization;

/**
 * ImageNet-style training augmentation with torchvision's arithmetic:
 * {@code RandomResizedCrop(size, scale=(0.08, 1), ratio=(3/4, 4/3))} (up to 10 tries of a random
 * area and log-uniform aspect ratio, else the central crop clamped to the ratio range; then PIL
 * crop + bilinear resize to size x size) and {@code RandomHorizontalFlip()}, then normalisation.
 * Random draws come from the per-image {@link Rng}, not torch's generator.
 */
public final class RandomResizedCropFlip implements Transform {
    public static final int IMAGENET_SIZE = 224;
    public static final double SCALE_MIN = 0.08, SCALE_MAX = 1.0, RATIO_MIN = 3.0 / 4.0, RATIO_MAX = 4.0 / 3.0;
    /** torchvision's number of tries before the central-crop fallback. */
    private static final int TRIES = 10;

    private final Normalization norm;
    private final int size;

    public RandomResizedCropFlip(Normalization norm, int size) {
        this.norm = norm;
        this.size = size;
    }

    public static RandomResizedCropFlip imagenet(Normalization norm) {
        return new RandomResizedCropFlip(norm, IMAGENET_SIZE);
    }

    @Override public int height() { return size; }
    @Override public int width() { return size; }

    @Override public void apply(Dataset ds, int i, Rng rng, float[] out, int off) {
        RgbImage img = ds.image(i);
        int[] p = params(img.width(), img.height(), rng);
        RgbImage r = PilResize.resize(PilResize.crop(img, p[1], p[0], p[3], p[2]), size, size);
        if (rng.nextBoolean()) r = flip(r);
        ResizeCenterCrop.normalise(r, norm, out, off);
    }

    /** torchvision's {@code RandomResizedCrop.get_params}: {top, left, height, width}. */
    static int[] params(int width, int height, Rng rng) {
        double area = (double) height * width;
        double logLo = Math.log(RATIO_MIN), logHi = Math.log(RATIO_MAX);
        for (int t = 0; t < TRIES; t++) {
            double target = area * rng.uniform(SCALE_MIN, SCALE_MAX);
            double aspect = Math.exp(rng.uniform(logLo, logHi));
            int w = (int) Math.rint(Math.sqrt(target * aspect));
            int h = (int) Math.rint(Math.sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        return centralFallback(width, height);
    }

    static int[] centralFallback(int width, int height) {
        double inRatio = (double) width / height;
        int w, h;
        if (inRatio < RATIO_MIN) {
            w = width;
            h = (int) Math.rint(w / RATIO_MIN);
        } else if (inRatio > RATIO_MAX) {
            h = height;
            w = (int) Math.rint(h * RATIO_MAX);
        } else {
            w = width;
            h = height;
        }
        return new int[] {(height - h) / 2, (width - w) / 2, h, w};
    }

    static RgbImage flip(RgbImage img) {
        int w = img.width(), h = img.height();
        byte[] src = img.pixels(), out = new byte[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int s = (y * w + x) * 3, d = (y * w + (w - 1 - x)) * 3;
                out[d] = src[s];
                out[d + 1] = src[s + 1];
                out[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(w, h, out);
    }
}
