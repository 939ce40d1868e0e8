package org.jresnet.data;

import org.jresnet.io.Normalization;

/**
 * The paper's CIFAR augmentation (He et al. 2015, sec. 4.2): pad 4 pixels on each side, take a
 * random crop of the original size, flip horizontally with probability 1/2, per image. As in
 * the reference script, padding is applied to the normalised image, so padded pixels are 0 after
 * normalisation. With pad 0 and no flip it is the evaluation transform (normalisation only).
 * Random draws per image, in order: column offset, row offset (each uniform in [0, 2*pad]), flip.
 */
public final class PadCropFlip implements Transform {
    /** Padding of the paper's CIFAR experiments. */
    public static final int PAPER_PAD = 4;

    private final Normalization norm;
    private final int height, width, pad;
    private final boolean flip;

    public PadCropFlip(Normalization norm, int height, int width, int pad, boolean flip) {
        if (pad < 0) throw new IllegalArgumentException("pad must be >= 0, got " + pad);
        this.norm = norm;
        this.height = height;
        this.width = width;
        this.pad = pad;
        this.flip = flip;
    }

    /** Training transform for images of {@code height x width}: pad 4, random crop, random flip. */
    public static PadCropFlip train(Normalization norm, int height, int width) {
        return new PadCropFlip(norm, height, width, PAPER_PAD, true);
    }

    /** Evaluation transform: normalisation only. */
    public static PadCropFlip eval(Normalization norm, int height, int width) {
        return new PadCropFlip(norm, height, width, 0, false);
    }

    @Override public int height() { return height; }
    @Override public int width() { return width; }

    @Override public void apply(Dataset ds, int i, Rng rng, float[] out, int off) {
        int ox = pad == 0 ? pad : rng.nextInt(2 * pad + 1);
        int oy = pad == 0 ? pad : rng.nextInt(2 * pad + 1);
        boolean f = flip && rng.nextBoolean();
        if (ds instanceof InMemoryDataset m && m.height() == height && m.width() == width) {
            cropFlip(m.pixels(), m.offset(i), height, width, pad, ox, oy, f, norm.table(), out, off);
            return;
        }
        RgbImage img = ds.image(i);
        if (img.height() != height || img.width() != width) {
            throw new DataException(ds.name(i) + " is " + img.width() + "x" + img.height() + ", expected "
                    + width + "x" + height + " (images of other sizes need the resize/crop transforms)");
        }
        cropFlip(img.pixels(), 0, height, width, pad, ox, oy, f, norm.table(), out, off);
    }

    /**
     * {@code out(y, x) = padded(oy + y, ox + (flip ? w-1-x : x))}, where {@code padded} is the
     * image shifted by {@code pad} with zeros around it, normalised through {@code table}.
     */
    static void cropFlip(byte[] src, int srcOff, int h, int w, int pad, int ox, int oy, boolean flip,
                         float[] table, float[] out, int off) {
        for (int y = 0; y < h; y++) {
            int sy = oy + y - pad;
            int o = off + y * w * 3;
            if (sy < 0 || sy >= h) {
                java.util.Arrays.fill(out, o, o + w * 3, 0f);
                continue;
            }
            int rowBase = srcOff + sy * w * 3;
            for (int x = 0; x < w; x++, o += 3) {
                int sx = ox + (flip ? w - 1 - x : x) - pad;
                if (sx < 0 || sx >= w) {
                    out[o] = 0f;
                    out[o + 1] = 0f;
                    out[o + 2] = 0f;
                } else {
                    int s = rowBase + sx * 3;
                    out[o] = table[src[s] & 0xFF];
                    out[o + 1] = table[256 + (src[s + 1] & 0xFF)];
                    out[o + 2] = table[512 + (src[s + 2] & 0xFF)];
                }
            }
        }
    }
}
