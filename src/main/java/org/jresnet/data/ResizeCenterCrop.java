package org.jresnet.data;

import org.jresnet.io.Normalization;

/**
 * ImageNet-style evaluation preprocessing with torchvision's arithmetic on PIL images:
 * {@code Resize(256)} (shorter side to 256, the longer to {@code int(256 * long / short)},
 * PIL bilinear with antialiasing) then {@code CenterCrop(224)} (offsets
 * {@code int(round((size - crop) / 2))}, Python's round-half-even; zero padding when the image is
 * smaller than the crop), then normalisation.
 */
public final class ResizeCenterCrop implements Transform {
    /** torchvision's ImageNet evaluation sizes. */
    public static final int IMAGENET_RESIZE = 256, IMAGENET_CROP = 224;

    private final Normalization norm;
    private final int resize, crop;

    public ResizeCenterCrop(Normalization norm, int resize, int crop) {
        if (resize <= 0 || crop <= 0) throw new IllegalArgumentException("resize and crop must be positive");
        this.norm = norm;
        this.resize = resize;
        this.crop = crop;
    }

    public static ResizeCenterCrop imagenet(Normalization norm) {
        return new ResizeCenterCrop(norm, IMAGENET_RESIZE, IMAGENET_CROP);
    }

    @Override public int height() { return crop; }
    @Override public int width() { return crop; }

    @Override public void apply(Dataset ds, int i, Rng rng, float[] out, int off) {
        normalise(preprocess(ds.image(i)), norm, out, off);
    }

    /** The uint8 image a model sees before normalisation (torchvision's output x 255). */
    public RgbImage preprocess(RgbImage img) {
        int w = img.width(), h = img.height();
        int shortSide = Math.min(w, h), longSide = Math.max(w, h);
        int newLong = (int) ((double) resize * longSide / shortSide);
        int nw = w <= h ? resize : newLong, nh = w <= h ? newLong : resize;
        RgbImage r = (nw == w && nh == h) ? img : PilResize.resize(img, nw, nh);
        return centerCrop(r, crop, crop);
    }

    /** torchvision's {@code F.center_crop} on a PIL image. */
    static RgbImage centerCrop(RgbImage img, int ch, int cw) {
        if (cw > img.width() || ch > img.height()) img = padTo(img, Math.max(cw, img.width()), Math.max(ch, img.height()));
        if (cw == img.width() && ch == img.height()) return img;
        int top = (int) Math.rint((img.height() - ch) / 2.0);
        int left = (int) Math.rint((img.width() - cw) / 2.0);
        return PilResize.crop(img, left, top, cw, ch);
    }

    /** Zero padding, left/top getting the smaller half, as {@code F.center_crop}. */
    private static RgbImage padTo(RgbImage img, int w, int h) {
        int left = (w - img.width()) / 2, top = (h - img.height()) / 2;
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < img.height(); y++) {
            System.arraycopy(img.pixels(), y * img.width() * 3, out, ((top + y) * w + left) * 3, img.width() * 3);
        }
        return new RgbImage(w, h, out);
    }

    static void normalise(RgbImage img, Normalization norm, float[] out, int off) {
        byte[] p = img.pixels();
        float[] t = norm.table();
        for (int k = 0; k < p.length; k += 3) {
            out[off + k] = t[p[k] & 0xFF];
            out[off + k + 1] = t[256 + (p[k + 1] & 0xFF)];
            out[off + k + 2] = t[512 + (p[k + 2] & 0xFF)];
        }
    }
}
