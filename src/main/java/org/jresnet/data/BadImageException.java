package org.jresnet.data;

/** An image file (or zip entry) that does not decode, or is beyond a {@link DecodeLimits}; {@link #source()} names it. */
public final class BadImageException extends DataException {
    private final String source;
    private final String reason;

    public BadImageException(String source, String reason) {
        this(source, reason, "corrupt or unreadable image " + source + ": " + reason);
    }

    private BadImageException(String source, String reason, String message) {
        super(message);
        this.source = source;
        this.reason = reason;
    }

    /** A valid image refused because decoding it would cost more than a limit allows. */
    static BadImageException overLimit(String source, String reason) {
        return new BadImageException(source, reason, "image " + source + " is too large: " + reason);
    }

    public String source() { return source; }

    /** What is wrong, without the file's name. */
    public String reason() { return reason; }
}
