package org.jresnet.data;

import org.jresnet.io.Normalization;

/**
 * The paper's CIFAR augmentation (He et al. 2015, sec. 4.2): pad 4 pixels on each side, take a
 * random crop of the original size, flip horizontally with probability 1/2, per image. As in
 * the reference script, padding is applied to the normalised image, so padded pixels are 0 after
 * normalisation. With pad 0 and no flip it is the evaluation transform (normalisation only).
 * The crop may also be smaller than the image ({@link #trainCrops}: the early epochs of
 * {@code --crop-epochs}). Random draws per image, in order: column offset, row offset (each uniform
 * in [0, size + 2*pad - crop], so [0, 2*pad] at full size), flip.
 */
public final class PadCropFlip implements Transform {
    /** Padding of the paper's CIFAR experiments. */
    public static final int PAPER_PAD = 4;

    private final Normalization norm;
    private final int height, width, pad, cropH, cropW;
    private final boolean flip;

    /** Crops of the source's own size {@code height x width}. */
    public PadCropFlip(Normalization norm, int height, int width, int pad, boolean flip) {
        this(norm, height, width, pad, flip, height, width);
    }

    /**
     * Crops of {@code cropH x cropW} from a {@code height x width} source padded by {@code pad}: the
     * offsets are uniform in {@code [0, height + 2*pad - cropH]} (and likewise across).
     */
    public PadCropFlip(Normalization norm, int height, int width, int pad, boolean flip, int cropH, int cropW) {
        if (pad < 0) throw new IllegalArgumentException("pad must be >= 0, got " + pad);
        if (cropH < 1 || cropW < 1 || cropH > height + 2 * pad || cropW > width + 2 * pad) {
            throw new IllegalArgumentException("a " + cropW + "x" + cropH + " crop does not fit a " + width + "x" + height
                    + " image padded by " + pad);
        }
        this.norm = norm;
        this.height = height;
        this.width = width;
        this.pad = pad;
        this.flip = flip;
        this.cropH = cropH;
        this.cropW = cropW;
    }

    /** Training transform for images of {@code height x width}: pad 4, random crop, random flip. */
    public static PadCropFlip train(Normalization norm, int height, int width) {
        return new PadCropFlip(norm, height, width, PAPER_PAD, true);
    }

    /** As {@link #train}, but the crops are {@code size x size}, smaller than the image. */
    public static PadCropFlip trainCrops(Normalization norm, int height, int width, int size) {
        return new PadCropFlip(norm, height, width, PAPER_PAD, true, size, size);
    }

    /** Evaluation transform: normalisation only. */
    public static PadCropFlip eval(Normalization norm, int height, int width) {
        return new PadCropFlip(norm, height, width, 0, false);
    }

    @Override public int height() { return cropH; }
    @Override public int width() { return cropW; }

    @Override public void apply(Dataset ds, int i, Rng rng, float[] out, int off) {
        int rangeX = width + 2 * pad - cropW, rangeY = height + 2 * pad - cropH;
        int ox = rangeX == 0 ? 0 : rng.nextInt(rangeX + 1);
        int oy = rangeY == 0 ? 0 : rng.nextInt(rangeY + 1);
        boolean f = flip && rng.nextBoolean();
        if (ds instanceof InMemoryDataset m && m.height() == height && m.width() == width) {
            cropFlip(m.pixels(), m.offset(i), height, width, pad, ox, oy, f, norm.table(), out, off, cropH, cropW);
            return;
        }
        RgbImage img = ds.image(i);
        if (img.height() != height || img.width() != width) {
            throw new DataException(ds.name(i) + " is " + img.width() + "x" + img.height() + ", expected "
                    + width + "x" + height + " (images of other sizes need the resize/crop transforms)");
        }
        cropFlip(img.pixels(), 0, height, width, pad, ox, oy, f, norm.table(), out, off, cropH, cropW);
    }

    /** {@link #cropFlip(byte[], int, int, int, int, int, int, boolean, float[], float[], int, int, int)} of the source's size. */
    static void cropFlip(byte[] src, int srcOff, int h, int w, int pad, int ox, int oy, boolean flip,
                         float[] table, float[] out, int off) {
        cropFlip(src, srcOff, h, w, pad, ox, oy, flip, table, out, off, h, w);
    }

    /**
     * {@code out(y, x) = padded(oy + y, ox + (flip ? cw-1-x : x))} for a {@code ch x cw} output, where
     * {@code padded} is the {@code h x w} image shifted by {@code pad} with zeros around it,
     * normalised through {@code table}.
     */
    static void cropFlip(byte[] src, int srcOff, int h, int w, int pad, int ox, int oy, boolean flip,
                         float[] table, float[] out, int off, int ch, int cw) {
        for (int y = 0; y < ch; y++) {
            int sy = oy + y - pad;
            int o = off + y * cw * 3;
            if (sy < 0 || sy >= h) {
                java.util.Arrays.fill(out, o, o + cw * 3, 0f);
                continue;
            }
            int rowBase = srcOff + sy * w * 3;
            for (int x = 0; x < cw; x++, o += 3) {
                int sx = ox + (flip ? cw - 1 - x : x) - pad;
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
