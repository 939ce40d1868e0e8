package org.jresnet.io.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jresnet.io.OneLine;
import org.jresnet.io.torch.TorchCheckpointException.Fault;

/**
 * torch.save's zip container (PyTorch >= 1.6): {@code <archive>/data.pkl} (the pickle),
 * {@code <archive>/data/<key>} (one uncompressed entry per storage), {@code <archive>/byteorder}
 * ({@code little} or {@code big}; absent means little) and {@code <archive>/version}. TorchScript
 * archives ({@code constants.pkl}, {@code code/}) are refused.
 *
 * <p>java.util.zip reads the archive; whatever it throws becomes a {@link TorchCheckpointException}.
 * Storage entries must be stored uncompressed (torch.save never compresses), so an entry's size is
 * bytes that are in the file, and it is checked against the declared storage size before anything
 * is allocated.
 */
final class ZipContainer {
    private static final int SMALL_ENTRY = 64;

    private ZipContainer() {}

    static TorchCheckpoints.Checkpoint read(Path file, String key, Limits limits) throws IOException {
        long fileSize = Files.size(file);
        ZipFile zf;
        try {
            zf = new ZipFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw bad(file, "not a readable zip archive (" + OneLine.reason(e) + ")");
        }
        try (zf) {
            String prefix = archivePrefix(zf, file);
            ByteOrder order = byteOrder(zf, prefix, file);
            ZipEntry pkl = entry(zf, prefix + "data.pkl", file);
            ByteBuffer pickle = ByteBuffer.wrap(readEntry(zf, pkl, limits.maxPickleBytes(), file, "data.pkl"));

            StorageIds ids = new StorageIds(file, false);
            Object top = new PickleMachine(pickle, file, limits, ids).run();
            for (Storage s : ids.roots().values()) bind(zf, prefix, s, order, fileSize, file);
            var found = StateDictLocator.locate(top, key, file);
            return TorchCheckpoints.materialise(found, "zip (torch.save, PyTorch >= 1.6)", ids.locations(), file);
        } catch (IOException | RuntimeException e) {
            if (e instanceof TorchCheckpointException t) throw t;
            throw bad(file, "broken zip archive (" + OneLine.reason(e) + ")");
        }
    }

    /** The folder holding data.pkl (torch names it after the file or "archive"). */
    private static String archivePrefix(ZipFile zf, Path file) throws TorchCheckpointException {
        List<String> prefixes = new ArrayList<>();
        boolean torchScript = false;
        Enumeration<? extends ZipEntry> en = zf.entries();
        while (en.hasMoreElements()) {
            String n = en.nextElement().getName();
            int slash = n.indexOf('/');
            String rest = slash < 0 ? n : n.substring(slash + 1);
            if (rest.equals("constants.pkl") || rest.startsWith("code/")) torchScript = true;
            if (rest.equals("data.pkl")) prefixes.add(slash < 0 ? "" : n.substring(0, slash + 1));
        }
        if (torchScript) {
            throw new TorchCheckpointException(file, Fault.UNSUPPORTED_FORMAT, "a TorchScript module, not a state dict"
                    + " (torch.jit.save); save the model's state_dict() with torch.save instead");
        }
        if (prefixes.isEmpty()) {
            throw new TorchCheckpointException(file, Fault.NOT_A_CHECKPOINT, "a zip archive without data.pkl: not a"
                    + " torch.save checkpoint");
        }
        if (prefixes.size() > 1) throw bad(file, "several data.pkl in one archive: " + prefixes);
        return prefixes.get(0);
    }

    private static ByteOrder byteOrder(ZipFile zf, String prefix, Path file) throws IOException {
        ZipEntry e = zf.getEntry(prefix + "byteorder");
        if (e == null) return ByteOrder.LITTLE_ENDIAN;
        String s = new String(readEntry(zf, e, SMALL_ENTRY, file, "byteorder"), StandardCharsets.US_ASCII).trim();
        return switch (s) {
            case "little" -> ByteOrder.LITTLE_ENDIAN;
            case "big" -> ByteOrder.BIG_ENDIAN;
            default -> throw bad(file, "byteorder entry says '" + (s.length() > 20 ? s.substring(0, 20) : s) + "'");
        };
    }

    private static ZipEntry entry(ZipFile zf, String name, Path file) throws TorchCheckpointException {
        ZipEntry e = zf.getEntry(name);
        if (e == null) throw bad(file, "no entry " + name);
        return e;
    }

    /** Checks the storage's entry now; reads it only when a tensor needs it. */
    private static void bind(ZipFile zf, String prefix, Storage s, ByteOrder order, long fileSize, Path file)
            throws TorchCheckpointException {
        String name = prefix + "data/" + s.key();
        ZipEntry e = zf.getEntry(name);
        if (e == null) throw bad(file, "storage '" + s.key() + "' has no entry " + name);
        if (e.getMethod() != ZipEntry.STORED) {
            throw new TorchCheckpointException(file, Fault.UNSUPPORTED_FORMAT, "entry " + name + " is compressed;"
                    + " torch.save stores storages uncompressed (re-save the checkpoint with torch.save)");
        }
        long need = s.numel() * s.type().bytes;   // <= 2 GiB, checked by StorageIds
        long size = e.getSize();
        if (size < 0 || size > fileSize || e.getCompressedSize() != size) {
            throw new TorchCheckpointException(file, Fault.OUT_OF_BOUNDS, "entry " + name + " declares " + size
                    + " bytes, which do not lie inside the " + fileSize + "-byte file");
        }
        if (size < need) {
            throw new TorchCheckpointException(file, Fault.OUT_OF_BOUNDS, "storage '" + s.key() + "' declares "
                    + s.numel() + " elements (" + need + " bytes) but its entry holds " + size + " bytes");
        }
        s.bind(() -> {
            try {
                byte[] b;
                try (InputStream in = zf.getInputStream(e)) {
                    b = in.readNBytes((int) need);
                }
                if (b.length < need) throw bad(file, name + " is truncated (" + b.length + " of " + need + " bytes)");
                return ByteBuffer.wrap(b).order(order);
            } catch (TorchCheckpointException x) {
                throw x;
            } catch (IOException | RuntimeException x) {
                throw bad(file, "cannot read " + name + " (" + OneLine.reason(x) + ")");
            }
        });
    }

    /** At most {@code max} bytes of an entry, never trusting its declared size for the allocation. */
    private static byte[] readEntry(ZipFile zf, ZipEntry e, long max, Path file, String what) throws IOException {
        long declared = e.getSize();
        if (declared > max) {
            throw new TorchCheckpointException(file, Fault.LIMIT, what + " of " + declared + " bytes (limit " + max + ")");
        }
        try (InputStream in = zf.getInputStream(e)) {
            byte[] b = in.readNBytes((int) Math.min(max, declared >= 0 ? declared : max));
            if (declared >= 0 && b.length < declared) throw bad(file, what + " is truncated (" + b.length + " of " + declared + " bytes)");
            return b;
        }
    }

    private static TorchCheckpointException bad(Path file, String detail) {
        return new TorchCheckpointException(file, Fault.BAD_CONTAINER, detail);
    }
}
