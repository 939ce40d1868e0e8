package org.jresnet.serve;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.DecodeLimits;
import org.jresnet.data.ResizeCenterCrop;
import org.jresnet.data.Transforms;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.Normalization;
import org.jresnet.train.Preprocessing;

/**
 * Request bytes to the normalised {@code [H, W, 3]} floats a model takes, by the same decoder and
 * evaluation transform as {@code predict}, after refusing images whose header announces more
 * pixels than the limit (a 1 MB PNG can decode to gigabytes).
 */
final class ImageInput {
    private final ResizeCenterCrop transform;
    private final long maxPixels;
    private final DecodeLimits limits;
    private final int size;

    ImageInput(ModelMetadata meta, long maxPixels, long maxBytes) {
        this.size = meta.inputSize()[1];
        this.transform = Preprocessing.resizeCrop(normalization(meta), size);
        this.maxPixels = maxPixels;
        this.limits = new DecodeLimits(maxPixels, maxBytes);
    }

    /** The model's per-channel normalisation. */
    static Normalization normalization(ModelMetadata meta) {
        return meta.normalization();
    }

    /** Decoded and preprocessed; {@code source} names the image in errors. */
    float[] prepare(byte[] bytes, String source) {
        if (bytes.length == 0) throw ApiException.badRequest(source + ": empty body (send a JPEG, PNG, BMP or GIF image)");
        checkPixels(bytes, source);
        float[] out = new float[size * size * 3];
        Transforms.applyToImage(transform, ImageDecoder.decode(bytes, source, limits), out, 0);
        return out;
    }

    private void checkPixels(byte[] bytes, String source) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) return;   // the decoder gives the clear error
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                long pixels = (long) r.getWidth(0) * r.getHeight(0);
                if (pixels > maxPixels) {
                    throw ApiException.tooLarge(String.format(java.util.Locale.ROOT,
                            "%s: %d x %d = %,d pixels is over the limit of %,d (serve --max-pixels)",
                            source, r.getWidth(0), r.getHeight(0), pixels, maxPixels));
                }
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) throw a;
            // An unreadable header: the decoder reports it in its own words.
        }
    }
}
