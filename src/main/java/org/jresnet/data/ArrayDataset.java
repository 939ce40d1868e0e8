package org.jresnet.data;

import java.util.List;

/**
 * What every dataset held as arrays shares: a label and a name per image, the class names, one
 * image size (or -1 when sizes vary) and a description. Subclasses say how image {@code i} is made
 * (copied out of decoded pixels, or decoded from its file on each use).
 */
public abstract class ArrayDataset implements Dataset {
    private final int[] labels;
    private final String[] names;
    private final List<String> classes;
    private final int height, width;
    private final String description;

    protected ArrayDataset(int[] labels, String[] names, List<String> classes, int height, int width,
                           String description) {
        if (names.length != labels.length) {
            throw new IllegalArgumentException("dataset arrays disagree: " + labels.length + " labels, "
                    + names.length + " names");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " of " + names[i] + " outside "
                        + classes.size() + " classes");
            }
        }
        this.labels = labels;
        this.names = names;
        this.classes = List.copyOf(classes);
        this.height = height;
        this.width = width;
        this.description = description;
    }

    @Override public final int size() { return labels.length; }
    @Override public final List<String> classes() { return classes; }
    @Override public final int label(int i) { return labels[i]; }
    @Override public final String name(int i) { return names[i]; }
    @Override public final int height() { return height; }
    @Override public final int width() { return width; }
    @Override public final String description() { return description; }

    /** The shared label array; read-only by convention. */
    public final int[] labels() { return labels; }

    /** The shared name array; read-only by convention. */
    protected final String[] names() { return names; }
}
