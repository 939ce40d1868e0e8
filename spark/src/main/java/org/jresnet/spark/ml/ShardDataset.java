package org.jresnet.spark.ml;

import java.util.Arrays;
import java.util.List;
import org.jresnet.data.ArrayDataset;
import org.jresnet.data.DecodeLimits;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.RgbImage;

/**
 * One training worker's images of a DataFrame when they are not all of one size (or too many
 * pixels for one array): image files kept encoded and decoded on each use, as the core's streamed
 * datasets do (decoding costs little beside a training step and keeps the shard small), or the
 * pixels Spark's image source already decoded. Thread-safe (the batch loader's threads share it).
 */
final class ShardDataset extends ArrayDataset {
    private final Object[] images;   // byte[] (an encoded file) or RgbImage
    private final DecodeLimits limits;

    ShardDataset(Object[] images, int[] labels, String[] names, List<String> classes, int height, int width,
                 DecodeLimits limits, String description) {
        super(labels, names, classes, height, width, description);
        this.images = images;
        this.limits = limits;
    }

    @Override public int skipped() { return 0; }
    @Override public boolean skipBad() { return false; }

    @Override public RgbImage image(int i) {
        // Every image was decoded once when the shard was built: a failure now is not the data's.
        return images[i] instanceof byte[] b ? ImageDecoder.decode(b, name(i), limits) : (RgbImage) images[i];
    }

    /** The first {@code n} images. */
    ShardDataset head(int n) {
        return new ShardDataset(Arrays.copyOf(images, n), Arrays.copyOf(labels(), n), Arrays.copyOf(names(), n),
                classes(), height(), width(), limits, description());
    }
}
