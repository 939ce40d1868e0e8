package org.jresnet.io.torch;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import org.jresnet.io.torch.Py.PyList;
import org.jresnet.io.torch.TorchCheckpointException.Fault;

/**
 * torch.save's legacy container (before PyTorch 1.6, and {@code _use_new_zipfile_serialization=False}):
 * five pickles back to back — the magic number, the protocol version (1001), the system info, the
 * object (storages as persistent ids), the list of storage keys — then, for each key in that order,
 * the storage as an 8-byte little-endian element count and its raw little-endian elements.
 *
 * <p>Storage offsets follow from the counts; each must match its declaration and lie inside the
 * file before the storage is bound. Data is read only for the tensors of the chosen state dict.
 */
final class LegacyContainer {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long PROTOCOL_VERSION = 1001;

    private LegacyContainer() {}

    static TorchCheckpoints.Checkpoint read(Path file, String key, Limits limits) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new TorchCheckpointException(file, Fault.LIMIT, "legacy checkpoints over 2 GiB are not supported");
            }
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            if (size > limits.maxPickleBytes()) all.limit((int) limits.maxPickleBytes());
            Object magic = new PickleMachine(all, file, limits, null).run();
            if (!(magic instanceof BigInteger m && m.equals(MAGIC))) {
                throw new TorchCheckpointException(file, Fault.NOT_A_CHECKPOINT, "a Python pickle, but not a torch.save"
                        + " checkpoint (it does not start with torch's magic number)");
            }
            Object version = new PickleMachine(all, file, limits, null).run();
            if (!(version instanceof Long v && v == PROTOCOL_VERSION)) {
                throw new TorchCheckpointException(file, Fault.UNSUPPORTED_FORMAT, "legacy protocol version "
                        + Py.describe(version) + " (this reader knows " + PROTOCOL_VERSION + ")");
            }
            new PickleMachine(all, file, limits, null).run();   // sys_info: storages are little-endian whatever it says
            StorageIds ids = new StorageIds(file, true);
            Object top = new PickleMachine(all, file, limits, ids).run();
            Object keys = new PickleMachine(all, file, limits, null).run();
            if (!(keys instanceof PyList list)) throw bad(file, "the storage key list is " + Py.describe(keys));

            long pos = all.position();
            Set<String> seen = new HashSet<>();
            for (Object k : list.items) {
                if (!(k instanceof String name)) throw bad(file, "a storage key is " + Py.describe(k));
                if (!seen.add(name)) throw bad(file, "storage '" + name + "' listed twice");
                Storage s = ids.roots().get(name);
                if (s == null) throw bad(file, "storage '" + name + "' is listed but no tensor declares it");
                if (pos > size - 8) {
                    throw new TorchCheckpointException(file, Fault.OUT_OF_BOUNDS, "storage '" + name + "' starts at byte "
                            + pos + ", past the end of the " + size + "-byte file");
                }
                long n = readLong(ch, pos, file);
                if (n != s.numel()) {
                    throw bad(file, "storage '" + name + "' holds " + n + " elements in the file but is declared with " + s.numel());
                }
                long bytes = n * s.type().bytes;   // n < 2^31 / bytes, checked by StorageIds
                long start = pos + 8;
                if (bytes > size - start) {
                    throw new TorchCheckpointException(file, Fault.OUT_OF_BOUNDS, "storage '" + name + "' of " + bytes
                            + " bytes at byte " + start + " reaches past the end of the " + size + "-byte file");
                }
                s.bind(() -> all.duplicate().clear().position((int) start).limit((int) (start + bytes)).slice()
                        .order(ByteOrder.LITTLE_ENDIAN));
                pos = start + bytes;
            }
            var found = StateDictLocator.locate(top, key, file);
            return TorchCheckpoints.materialise(found, "legacy (torch.save before PyTorch 1.6)", ids.locations(), file);
        }
    }

    private static long readLong(FileChannel ch, long pos, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) throw bad(file, "file ends inside a storage header");
        }
        return b.getLong(0);
    }

    private static TorchCheckpointException bad(Path file, String detail) {
        return new TorchCheckpointException(file, Fault.BAD_CONTAINER, detail);
    }
}
