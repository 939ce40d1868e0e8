package org.jresnet.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.io.torch.Limits;
import org.jresnet.io.torch.TorchCheckpoints;
import org.jresnet.io.torch.TorchTensor;

/**
 * Any weights file jresnet reads, told apart by content rather than by name: safetensors, or a
 * PyTorch checkpoint (torch.save zip or legacy pickle, read by {@link TorchCheckpoints} without
 * executing anything). Either way the result is the state dict as a {@link SafeTensorsFile}
 * (a checkpoint's has no metadata), so everything downstream is one path.
 */
public final class WeightFiles {
    private WeightFiles() {}

    /**
     * @param file   the state dict (and, for safetensors, its metadata)
     * @param source one line on where it came from ("safetensors", "PyTorch zip checkpoint, entry 'state_dict'")
     * @param notes  things the user should know (device tags mapped to the CPU, dtypes converted)
     * @param otherEntries a checkpoint's entries besides the state dict, described, not read
     */
    public record Read(SafeTensorsFile file, String source, List<String> notes, List<String> otherEntries) {
        public boolean pytorch() { return !source.equals(SAFETENSORS); }
    }

    private static final String SAFETENSORS = "safetensors";

    /** The tensors and metadata of {@code file}, whatever its format. */
    public static SafeTensorsFile read(Path file) throws IOException {
        return read(file, null).file();
    }

    /** {@code key}: the top-level entry holding a checkpoint's state dict (null: look where checkpoints keep it). */
    public static Read read(Path file, String key) throws IOException {
        requireFile(file);
        if (TorchCheckpoints.sniff(file) == TorchCheckpoints.Kind.OTHER) {
            if (key != null) throw new WeightsException(file + ": --key " + key + " applies to PyTorch checkpoints, not safetensors");
            return new Read(SafeTensors.read(file), SAFETENSORS, List.of(), List.of());
        }
        TorchCheckpoints.Checkpoint c = TorchCheckpoints.read(file, key, Limits.DEFAULT);
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        boolean converted = false;
        for (var e : c.stateDict().entrySet()) {
            TensorData t = convert(e.getValue());
            converted |= t.dtype() != DType.F32 && t.dtype() != DType.I64;
            tensors.put(e.getKey(), t);
        }
        if (c.deviceTags().stream().anyMatch(d -> !d.equals("cpu"))) {
            notes.add("storages saved on " + String.join(", ", c.deviceTags()) + " are read on the CPU");
        }
        if (converted) notes.add("float64/float16/bfloat16 tensors converted to float32");
        String source = "PyTorch " + c.container() + " checkpoint, state dict at " + c.location() + " (" + tensors.size() + " tensors)";
        return new Read(new SafeTensorsFile(Map.of(), tensors), source, notes, c.otherEntries());
    }

    /**
     * The metadata of {@code file} without its tensors: a safetensors file's {@code __metadata__}
     * (its header only), none for a PyTorch checkpoint (checked to be one by its first bytes).
     */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        requireFile(file);
        return TorchCheckpoints.sniff(file) == TorchCheckpoints.Kind.OTHER ? SafeTensors.readMetadata(file) : Map.of();
    }

    private static void requireFile(Path file) throws IOException {
        if (java.nio.file.Files.isDirectory(file)) {
            throw new WeightsException(file + ": is a folder, not a weights file (safetensors or a PyTorch checkpoint)");
        }
        // said as such: an empty .pth would otherwise be read as a safetensors file "truncated" at 0 bytes
        if (java.nio.file.Files.isRegularFile(file) && java.nio.file.Files.size(file) == 0) {
            throw new WeightsException(file + ": is empty (0 bytes), not a weights file (safetensors or a PyTorch checkpoint)");
        }
    }

    private static TensorData convert(TorchTensor t) {
        DType d = switch (t.type()) {
            case FLOAT32 -> DType.F32;
            case FLOAT64 -> DType.F64;
            case FLOAT16 -> DType.F16;
            case BFLOAT16 -> DType.BF16;
            case INT64 -> DType.I64;
            case INT32 -> DType.I32;
            case INT16 -> DType.I16;
            case INT8 -> DType.I8;
            case UINT8 -> DType.U8;
            case BOOL -> DType.BOOL;
        };
        return new TensorData(d, t.shape(), t.floats(), t.longs());
    }
}
