package org.jresnet.data;

/**
 * What decoding one image may cost, checked before the cost is paid: the pixel count is read from
 * the image's header before any pixel is decoded, and the encoded bytes are counted as they are
 * read (for a zip entry, as they are inflated: the size a zip declares is not trusted). A file
 * from a stranger can then neither exhaust the heap nor keep a run busy for minutes.
 *
 * @param maxPixels     width x height of one image
 * @param maxImageBytes encoded bytes of one image file or zip entry
 */
public record DecodeLimits(long maxPixels, long maxImageBytes) {
    /** PIL's {@code Image.MAX_IMAGE_PIXELS}, where it warns of a decompression bomb. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    /** Far above any photograph's encoded size, far below the heap. */
    public static final long DEFAULT_MAX_IMAGE_BYTES = 64L << 20;
    /** The command-line options that raise each limit, named in the errors. */
    public static final String PIXELS_OPTION = "--max-pixels";
    public static final String BYTES_OPTION = "--max-image-bytes";

    public DecodeLimits {
        if (maxPixels < 1) throw new IllegalArgumentException(PIXELS_OPTION + " must be >= 1, got " + maxPixels);
        if (maxImageBytes < 1) throw new IllegalArgumentException(BYTES_OPTION + " must be >= 1, got " + maxImageBytes);
    }

    public static DecodeLimits defaults() {
        return new DecodeLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_IMAGE_BYTES);
    }

    /** The refusal of an image of {@code width x height}, or null when it is within the limit. */
    BadImageException checkPixels(String source, long width, long height) {
        long pixels = width * height;
        if (pixels <= maxPixels) return null;
        return BadImageException.overLimit(source, width + "x" + height + " = " + pixels + " pixels, more than the limit of "
                + maxPixels + " (raise it with " + PIXELS_OPTION + ")");
    }

    BadImageException bytesExceeded(String source, String what) {
        return BadImageException.overLimit(source, what + " more than the limit of " + maxImageBytes
                + " bytes (raise it with " + BYTES_OPTION + ")");
    }
}
