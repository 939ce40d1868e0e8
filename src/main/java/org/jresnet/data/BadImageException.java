package org.jresnet.data;

/** An image file (or zip entry) that does not decode; {@link #source()} names it. */
public final class BadImageException extends DataException {
    private final String source;

    public BadImageException(String source, String reason) {
        super("corrupt or unreadable image " + source + ": " + reason);
        this.source = source;
    }

    public String source() { return source; }
}
