package org.jresnet.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.jresnet.io.OneLine;

/**
 * An ImageFolder dataset decoded on every use (per epoch, by the batch loader's worker threads):
 * for images of unequal sizes (ImageNet style) or more pixels than the memory budget. Thread-safe.
 */
public final class StreamedDataset implements Dataset {
    private final ImageFolderIndex index;
    private final boolean skipBad;
    private final DecodeLimits limits;

    StreamedDataset(ImageFolderIndex index, boolean skipBad, DecodeLimits limits) {
        this.index = index;
        this.skipBad = skipBad;
        this.limits = limits;
    }

    @Override public int size() { return index.size(); }
    @Override public List<String> classes() { return index.classes(); }
    @Override public int label(int i) { return index.label(i); }
    @Override public String name(int i) { return index.source(i).name(); }
    @Override public int height() { return -1; }
    @Override public int width() { return -1; }
    /** Streamed images are checked when used: a corrupt one is replaced per batch (see {@link BatchLoader}). */
    @Override public int skipped() { return 0; }
    @Override public boolean skipBad() { return skipBad; }
    @Override public String description() { return index.description() + " (streamed)"; }

    @Override public RgbImage image(int i) {
        ImageSource s = index.source(i);
        byte[] bytes;
        try {
            bytes = s.read(limits);
        } catch (IOException e) {
            throw new UncheckedIOException(OneLine.of("cannot read " + s.name() + ": " + OneLine.reason(e)), e);
        }
        return ImageDecoder.decode(bytes, s.name(), limits);
    }

    @Override public void close() { index.close(); }
}
