package org.jresnet.cli;

import org.jresnet.data.DecodeLimits;
import picocli.CommandLine.Option;

/** The options that raise (or lower) what one image may cost to decode; shared by train, eval and predict. */
final class DecodeLimitsOptions {
    @Option(names = DecodeLimits.PIXELS_OPTION, paramLabel = "N",
            description = "Refuse images of more pixels, from the header before decoding (default ${DEFAULT-VALUE}, PIL's).")
    long maxPixels = DecodeLimits.DEFAULT_MAX_PIXELS;
    @Option(names = DecodeLimits.BYTES_OPTION, paramLabel = "N",
            description = "Refuse image files or zip entries of more bytes, as read or inflated (default ${DEFAULT-VALUE}).")
    long maxImageBytes = DecodeLimits.DEFAULT_MAX_IMAGE_BYTES;

    DecodeLimits limits() {
        try {
            return new DecodeLimits(maxPixels, maxImageBytes);
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException(e.getMessage());
        }
    }
}
