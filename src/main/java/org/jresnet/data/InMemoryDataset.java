package org.jresnet.data;

import java.util.List;

/**
 * A decoded dataset of equally sized images held as one uint8 array, NHWC:
 * {@code pixels[((i * height + y) * width + x) * 3 + c]}. CIFAR-10's 60k images take 184 MB.
 */
public final class InMemoryDataset implements Dataset {
    private final byte[] pixels;
    private final int[] labels;
    private final String[] names;
    private final List<String> classes;
    private final int height, width;
    private final int skipped;
    private final boolean skipBad;
    private final String description;

    public InMemoryDataset(byte[] pixels, int[] labels, String[] names, List<String> classes,
                           int height, int width, int skipped, boolean skipBad, String description) {
        long expect = (long) labels.length * height * width * 3;
        if (pixels.length != expect || names.length != labels.length) {
            throw new IllegalArgumentException("dataset arrays disagree: " + pixels.length + " pixel bytes for "
                    + labels.length + " images of " + height + "x" + width + ", " + names.length + " names");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of " + names[i] + " outside "
                        + classes.size() + " classes");
            }
        }
        this.pixels = pixels;
        this.labels = labels;
        this.names = names;
        this.classes = List.copyOf(classes);
        this.height = height;
        this.width = width;
        this.skipped = skipped;
        this.skipBad = skipBad;
        this.description = description;
    }

    @Override public int size() { return labels.length; }
    @Override public List<String> classes() { return classes; }
    @Override public int label(int i) { return labels[i]; }
    @Override public String name(int i) { return names[i]; }
    @Override public int height() { return height; }
    @Override public int width() { return width; }
    @Override public int skipped() { return skipped; }
    @Override public boolean skipBad() { return skipBad; }
    @Override public String description() { return description; }

    /** The shared pixel array (NHWC uint8); read-only by convention. */
    public byte[] pixels() { return pixels; }

    /** Offset of image {@code i} in {@link #pixels()}. */
    public int offset(int i) { return i * imageBytes(); }

    public int imageBytes() { return height * width * 3; }

    /** The shared label array; read-only by convention. */
    public int[] labels() { return labels; }

    String[] names() { return names; }

    @Override public RgbImage image(int i) {
        byte[] p = new byte[imageBytes()];
        System.arraycopy(pixels, offset(i), p, 0, p.length);
        return new RgbImage(width, height, p);
    }
}
