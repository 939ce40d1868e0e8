package org.jresnet.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.jresnet.io.OneLine;

/**
 * The encoded bytes of one image, read within {@link DecodeLimits#maxImageBytes()}: the bytes are
 * counted as they arrive (for a zip entry, as they are inflated), so a small entry that inflates
 * to gigabytes is stopped at the limit instead of being read whole. A zip entry is also checked
 * against the CRC-32 and size its zip records, which {@link ZipFile} itself never verifies: a
 * damaged stored entry would otherwise decode to a silently different image.
 */
public final class ImageBytes {
    private ImageBytes() {}

    /** Largest byte array the JVM allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** The bytes of {@code file}; {@code source} names it in errors. */
    public static byte[] readFile(Path file, String source, DecodeLimits limits) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readBounded(in, source, limits, "the file has");
        }
    }

    static byte[] readZipEntry(ZipFile zip, ZipEntry entry, DecodeLimits limits) throws IOException {
        String source = entry.getName();
        CRC32 crc = new CRC32();
        byte[] bytes;
        try (InputStream in = new CheckedInputStream(zip.getInputStream(entry), crc)) {
            bytes = readBounded(in, source, limits, "the zip entry inflates to");
        } catch (ZipException | EOFException e) {
            // a broken record or deflate stream is a damaged image (so --skip-bad skips it), not an I/O failure
            throw new BadImageException(source, "damaged zip entry: " + OneLine.reason(e));
        }
        if (entry.getSize() >= 0 && bytes.length != entry.getSize()) {
            throw new BadImageException(source, "damaged zip entry: " + bytes.length + " bytes, the zip says "
                    + entry.getSize());
        }
        if (entry.getCrc() >= 0 && crc.getValue() != entry.getCrc()) {
            throw new BadImageException(source, String.format(Locale.ROOT,
                    "damaged zip entry: CRC-32 %08x, the zip says %08x", crc.getValue(), entry.getCrc()));
        }
        return bytes;
    }

    private static byte[] readBounded(InputStream in, String source, DecodeLimits limits, String what) throws IOException {
        long max = limits.maxImageBytes();
        byte[] bytes = in.readNBytes((int) Math.min(max + 1, MAX_ARRAY));
        if (bytes.length > max) throw limits.bytesExceeded(source, what);
        if (bytes.length == MAX_ARRAY && in.read() >= 0) {
            throw BadImageException.overLimit(source, "more than " + MAX_ARRAY + " encoded bytes, beyond a Java array");
        }
        return bytes;
    }
}
