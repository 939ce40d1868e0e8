package org.jresnet.data;

import java.util.List;

/**
 * A decoded dataset of equally sized images held as one uint8 array, NHWC:
 * {@code pixels[((i * height + y) * width + x) * 3 + c]}. CIFAR-10's 60k images take 184 MB.
 */
public final class InMemoryDataset extends ArrayDataset {
    private final byte[] pixels;
    private final int skipped;
    private final boolean skipBad;

    public InMemoryDataset(byte[] pixels, int[] labels, String[] names, List<String> classes,
                           int height, int width, int skipped, boolean skipBad, String description) {
        super(labels, names, classes, height, width, description);
        long expect = (long) labels.length * height * width * 3;
        if (pixels.length != expect) {
            throw new IllegalArgumentException("dataset arrays disagree: " + pixels.length + " pixel bytes for "
                    + labels.length + " images of " + height + "x" + width);
        }
        this.pixels = pixels;
        this.skipped = skipped;
        this.skipBad = skipBad;
    }

    @Override public int skipped() { return skipped; }
    @Override public boolean skipBad() { return skipBad; }

    /** The shared pixel array (NHWC uint8); read-only by convention. */
    public byte[] pixels() { return pixels; }

    /** Offset of image {@code i} in {@link #pixels()}. */
    public int offset(int i) { return i * imageBytes(); }

    public int imageBytes() { return height() * width() * 3; }

    @Override public RgbImage image(int i) {
        byte[] p = new byte[imageBytes()];
        System.arraycopy(pixels, offset(i), p, 0, p.length);
        return new RgbImage(width(), height(), p);
    }
}
