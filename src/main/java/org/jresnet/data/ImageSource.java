package org.jresnet.data;

import java.io.IOException;

/** One undecoded image of an ImageFolder tree: a file or a zip entry. */
public interface ImageSource {
    /** Path relative to the dataset root (e.g. {@code train/cat/0001.jpg}); unique within a dataset. */
    String name();

    /** The encoded bytes, read within {@code limits} (see {@link ImageBytes}). */
    byte[] read(DecodeLimits limits) throws IOException;
}
