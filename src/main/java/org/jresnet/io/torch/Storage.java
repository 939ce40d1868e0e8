package org.jresnet.io.torch;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.jresnet.io.torch.TorchCheckpointException.Fault;

/**
 * One storage a checkpoint declares through a persistent id: its key, element type, declared
 * element count and device tag. The container binds its bytes ({@link #bind}) after checking that
 * they lie inside the file and hold the declared count; they are read only when a tensor of the
 * chosen state dict needs them, once however many tensors share the storage. A legacy "view"
 * storage is a window of a root storage.
 */
final class Storage {
    /** Reads a root storage's bytes, in the file's byte order. */
    interface Bytes {
        ByteBuffer read() throws TorchCheckpointException;
    }

    private final String key;
    private final ElementType type;
    private final long numel;
    private final String location;
    private final Storage root;
    private final long rootOffset;
    private Bytes source;
    private ByteBuffer cached;

    Storage(String key, ElementType type, long numel, String location) {
        this(key, type, numel, location, null, 0);
    }

    private Storage(String key, ElementType type, long numel, String location, Storage root, long rootOffset) {
        this.key = key;
        this.type = type;
        this.numel = numel;
        this.location = location;
        this.root = root;
        this.rootOffset = rootOffset;
    }

    /** A view of {@code numel} elements from {@code offset} of this root storage (legacy view_metadata). */
    Storage view(String viewKey, long offset, long count, Path file) throws TorchCheckpointException {
        if (root != null) throw new TorchCheckpointException(file, Fault.BAD_PICKLE, "storage view '" + viewKey + "' of a view");
        if (offset < 0 || count < 0 || offset > numel - count) {
            throw new TorchCheckpointException(file, Fault.OUT_OF_BOUNDS, "storage view '" + viewKey + "' [" + offset + ", +"
                    + count + ") lies outside storage '" + key + "' of " + numel + " elements");
        }
        return new Storage(viewKey, type, count, location, this, offset);
    }

    String key() { return key; }
    ElementType type() { return type; }
    long numel() { return numel; }
    String location() { return location; }
    boolean isView() { return root != null; }

    void bind(Bytes bytes) { this.source = bytes; }

    /** The root storage's bytes and where this storage starts in them (in elements). */
    ByteBuffer rootBytes(Path file) throws TorchCheckpointException {
        if (root != null) return root.rootBytes(file);
        if (cached == null) {
            if (source == null) {
                throw new TorchCheckpointException(file, Fault.BAD_CONTAINER, "storage '" + key + "' has no data in the file");
            }
            cached = source.read();
        }
        return cached;
    }

    long rootOffset() { return rootOffset; }
}
