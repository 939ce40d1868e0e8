package org.jresnet.data;

import java.util.List;

/**
 * A labelled image dataset: the common face of {@link InMemoryDataset} (decoded once, uint8 NHWC
 * in memory) and {@link StreamedDataset} (decoded per use, for images of unequal sizes or too many
 * to hold). Index order is the source's (ImageFolder: classes sorted, then files sorted, as
 * torchvision), so index {@code i} means the same image in every run.
 */
public interface Dataset extends AutoCloseable {
    int size();

    /** Class names, index = label (ImageFolder: sorted folder names). */
    List<String> classes();

    default int numClasses() { return classes().size(); }

    int label(int i);

    /** Where image {@code i} comes from, for messages and per-image outputs (e.g. {@code test/cat/0001.jpg}). */
    String name(int i);

    /** Image {@code i}, decoded (streamed) or copied out (in memory). */
    RgbImage image(int i);

    /** Height shared by all images, or -1 when sizes vary. */
    int height();

    /** Width shared by all images, or -1 when sizes vary. */
    int width();

    /** Images skipped as corrupt while loading (only with {@code skipBad}). */
    int skipped();

    /** Whether corrupt images are skipped (counted) instead of failing. */
    boolean skipBad();

    /** Human description of the source: path, split and format. */
    String description();

    @Override default void close() {}
}
