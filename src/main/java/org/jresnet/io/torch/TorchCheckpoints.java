package org.jresnet.io.torch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jresnet.io.torch.TorchCheckpointException.Fault;

/**
 * Reads the state dict of a PyTorch checkpoint ({@code .pth}, {@code .pt}, {@code .th},
 * {@code .pth.tar}) without Python and without executing anything: both torch.save containers
 * (zip, {@link ZipContainer}; legacy, {@link LegacyContainer}) and a pickle interpreter that only
 * builds data ({@link PickleMachine}, {@link AllowList}). The pre-1.0 tar container and TorchScript
 * archives are refused by name.
 *
 * <p>Contract: for any input, {@link #read} returns the state dict's tensors or throws a
 * {@link TorchCheckpointException} with a one-line message (other {@link IOException}s only for
 * the file system: missing file, permissions). Nothing named in the file is imported, called or
 * evaluated; every size is checked against the file and {@link Limits} before allocation.
 */
public final class TorchCheckpoints {
    private static final int HEAD = 512;
    private static final int TAR_MAGIC_AT = 257;

    private TorchCheckpoints() {}

    /**
     * @param container  "zip (...)" or "legacy (...)"
     * @param location   where the state dict was: "top level" or "entry 'state_dict'"
     * @param stateDict  tensors by key, in file order
     * @param otherEntries the checkpoint's other entries, one short description each (never read further)
     * @param deviceTags the storages' location tags ({@code cpu}, {@code cuda:0}, ...), all read on the CPU
     */
    public record Checkpoint(String container, String location, Map<String, TorchTensor> stateDict,
                             List<String> otherEntries, Set<String> deviceTags) {
        public Checkpoint {
            stateDict = Collections.unmodifiableMap(new LinkedHashMap<>(stateDict));
            otherEntries = List.copyOf(otherEntries);
            deviceTags = Collections.unmodifiableSet(new TreeSet<>(deviceTags));
        }
    }

    /** What the first bytes of a file say it is, as far as this reader is concerned. */
    public enum Kind { ZIP, PICKLE, TAR, OTHER }

    public static Kind sniff(byte[] head, int n) {
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5) && (head[3] == 4 || head[3] == 6)) {
            return Kind.ZIP;
        }
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) return Kind.PICKLE;
        if (n >= 2 && head[0] == 'L' && head[1] >= '0' && head[1] <= '9') return Kind.PICKLE;   // protocol 0
        if (n >= TAR_MAGIC_AT + 5 && new String(head, TAR_MAGIC_AT, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar")) {
            return Kind.TAR;
        }
        return Kind.OTHER;
    }

    public static Kind sniff(Path file) throws IOException {
        byte[] head = new byte[HEAD];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, HEAD);
        }
        return sniff(head, n);
    }

    /** The state dict of {@code file}, found at the top level or under the usual keys. */
    public static Checkpoint read(Path file) throws IOException {
        return read(file, null, Limits.DEFAULT);
    }

    /** With {@code key} non-null, the state dict is the top-level dict's entry of that name. */
    public static Checkpoint read(Path file, String key, Limits limits) throws IOException {
        return switch (sniff(file)) {
            case ZIP -> ZipContainer.read(file, key, limits);
            case PICKLE -> LegacyContainer.read(file, key, limits);
            case TAR -> throw new TorchCheckpointException(file, Fault.UNSUPPORTED_FORMAT, "the tar checkpoint format of"
                    + " PyTorch before 1.0 is not supported; load and re-save it with a newer torch.save");
            case OTHER -> throw new TorchCheckpointException(file, Fault.NOT_A_CHECKPOINT, "not a PyTorch checkpoint"
                    + " (neither a torch.save zip archive nor a legacy pickle)");
        };
    }

    static Checkpoint materialise(StateDictLocator.Found found, String container, Set<String> devices, Path file)
            throws TorchCheckpointException {
        Map<String, TorchTensor> out = new LinkedHashMap<>();
        for (var e : found.tensors().entrySet()) out.put(e.getKey(), e.getValue().materialise(file));
        return new Checkpoint(container, found.where(), out, found.others(), devices);
    }
}
