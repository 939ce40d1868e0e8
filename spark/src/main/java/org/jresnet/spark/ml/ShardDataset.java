package org.jresnet.spark.ml;

import java.util.Arrays;
import java.util.List;
import org.jresnet.data.Dataset;
import org.jresnet.data.DecodeLimits;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.RgbImage;

/**
 * One training worker's images of a DataFrame when they are not all of one size (or too many
 * pixels for one array): image files kept encoded and decoded on each use, as the core's streamed
 * datasets do (decoding costs little beside a training step and keeps the shard small), or the
 * pixels Spark's image source already decoded. Thread-safe (the batch loader's threads share it).
 */
final class ShardDataset implements Dataset {
    private final Object[] images;   // byte[] (an encoded file) or RgbImage
    private final int[] labels;
    private final String[] names;
    private final List<String> classes;
    private final int height, width;
    private final DecodeLimits limits;
    private final String description;

    ShardDataset(Object[] images, int[] labels, String[] names, List<String> classes, int height, int width,
                 DecodeLimits limits, String description) {
        this.images = images;
        this.labels = labels;
        this.names = names;
        this.classes = List.copyOf(classes);
        this.height = height;
        this.width = width;
        this.limits = limits;
        this.description = description;
    }

    @Override public int size() { return labels.length; }
    @Override public List<String> classes() { return classes; }
    @Override public int label(int i) { return labels[i]; }
    @Override public String name(int i) { return names[i]; }
    @Override public int height() { return height; }
    @Override public int width() { return width; }
    @Override public int skipped() { return 0; }
    @Override public boolean skipBad() { return false; }
    @Override public String description() { return description; }

    @Override public RgbImage image(int i) {
        // Every image was decoded once when the shard was built: a failure now is not the data's.
        return images[i] instanceof byte[] b ? ImageDecoder.decode(b, names[i], limits) : (RgbImage) images[i];
    }

    /** The first {@code n} images. */
    ShardDataset head(int n) {
        return new ShardDataset(Arrays.copyOf(images, n), Arrays.copyOf(labels, n), Arrays.copyOf(names, n), classes,
                height, width, limits, description);
    }
}
