package org.jresnet.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.jresnet.io.AtomicFiles;

/**
 * The decoded uint8 form of an ImageFolder split, kept in the user's cache folder so that only
 * the first run decodes. The file name carries a SHA-256 of the source (path, split, sizes and
 * modification times, the skip-bad flag, the decode limits and this format's version), so a
 * changed source misses the cache instead of reading stale pixels. Written atomically
 * ({@link AtomicFiles}): a crash leaves either no cache or a whole one; a CRC-32 at the end
 * catches later damage.
 *
 * <p>Layout (big-endian): magic, version, n, height, width, skipped, class count, class names
 * (UTF), labels (n ints), names (n UTF), pixels (n*h*w*3 bytes), CRC-32 of all before it.
 */
final class DecodeCache {
    private DecodeCache() {}

    private static final long MAGIC = 0x4A5245534E455438L; // "JRESNET8"
    /** Bump when the layout or the decoded pixels change, so old caches are never read. */
    static final int VERSION = 2;
    private static final int IO_BUFFER = 1 << 20;

    static Path file(Path cacheDir, Path source, Split split, byte[] fingerprint, boolean skipBad, DecodeLimits limits) {
        var d = ImageFolderIndex.sha256();
        d.update(fingerprint);
        // The limits decide which images are refused, hence (with skipBad) what the cache holds.
        ImageFolderIndex.update(d, "v" + VERSION, "skipBad=" + skipBad, "maxPixels=" + limits.maxPixels(),
                "maxImageBytes=" + limits.maxImageBytes());
        String hash = HexFormat.of().formatHex(d.digest()).substring(0, 20);
        String base = source.toAbsolutePath().normalize().getFileName() == null ? "root"
                : source.toAbsolutePath().normalize().getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return cacheDir.resolve(base + "-" + split.folder() + "-" + hash + ".u8");
    }

    /** The cached dataset, or null when there is no cache file. A damaged file is an error naming it. */
    static InMemoryDataset read(Path file, boolean skipBad, String description) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        CRC32 crc = new CRC32();
        try (InputStream raw = Files.newInputStream(file);
             CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(raw, IO_BUFFER), crc)) {
            DataInputStream in = new DataInputStream(checked);
            if (in.readLong() != MAGIC || in.readInt() != VERSION) return damaged(file, "not a jresnet cache of version " + VERSION);
            int n = in.readInt(), h = in.readInt(), w = in.readInt(), skipped = in.readInt(), nc = in.readInt();
            if (n < 0 || h <= 0 || w <= 0 || nc <= 0 || (long) n * h * w * 3 > Integer.MAX_VALUE) {
                return damaged(file, "bad header");
            }
            List<String> classes = new ArrayList<>();
            for (int c = 0; c < nc; c++) classes.add(in.readUTF());
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = in.readInt();
            String[] names = new String[n];
            for (int i = 0; i < n; i++) names[i] = in.readUTF();
            byte[] pixels = new byte[n * h * w * 3];
            in.readFully(pixels);
            long expect = crc.getValue();
            long stored = in.readLong();
            if (stored != expect || in.read() != -1) return damaged(file, "checksum mismatch");
            // the skipped count is said from the cache as on the run that decoded it
            return new InMemoryDataset(pixels, labels, names, classes, h, w, skipped, skipBad,
                    description + (skipped > 0 ? " (" + skipped + " corrupt images skipped)" : "") + " (cached " + file + ")");
        } catch (java.io.EOFException e) {
            return damaged(file, "truncated");
        }
    }

    private static InMemoryDataset damaged(Path file, String why) {
        throw new DataException("damaged decode cache " + file + " (" + why + "); delete it to decode again");
    }

    /** Writes atomically ({@link AtomicFiles}: temporary file, fsync, rename, fsync of the folder). */
    static void write(Path file, InMemoryDataset ds) throws IOException {
        AtomicFiles.write(file, stream -> {
            CRC32 crc = new CRC32();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(stream, crc));
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(ds.size());
            out.writeInt(ds.height());
            out.writeInt(ds.width());
            out.writeInt(ds.skipped());
            out.writeInt(ds.numClasses());
            for (String c : ds.classes()) out.writeUTF(c);
            for (int l : ds.labels()) out.writeInt(l);
            for (String s : ds.names()) out.writeUTF(s);
            out.write(ds.pixels());
            out.flush();
            out.writeLong(crc.getValue());
            out.flush();
        });
    }
}
