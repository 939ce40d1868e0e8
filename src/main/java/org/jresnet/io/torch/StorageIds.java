package org.jresnet.io.torch;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.jresnet.io.torch.Py.Global;
import org.jresnet.io.torch.Py.Tuple;
import org.jresnet.io.torch.TorchCheckpointException.Fault;

/**
 * torch.save's persistent ids, turned into {@link Storage}s (one per key, however often a tensor
 * refers to it):
 * <pre>
 *   zip:    ('storage', torch.FloatStorage, key, location, numel)
 *   legacy: ('storage', torch.FloatStorage, root_key, location, numel, view_metadata)
 *           view_metadata: None or (view_key, offset, numel)
 *           ('module', cls, source_file, source): a pickled module class, kept inert
 * </pre>
 * The location ({@code cpu}, {@code cuda:0}, ...) is only a tag: every storage is read on the CPU.
 */
final class StorageIds implements PickleMachine.PersistentLoader {
    private final Path file;
    private final boolean legacy;
    private final Map<String, Storage> roots = new LinkedHashMap<>();
    private final Map<String, Storage> views = new LinkedHashMap<>();
    private final TreeSet<String> locations = new TreeSet<>();

    StorageIds(Path file, boolean legacy) {
        this.file = file;
        this.legacy = legacy;
    }

    Map<String, Storage> roots() { return roots; }
    TreeSet<String> locations() { return locations; }

    @Override public Object load(Object pid) throws TorchCheckpointException {
        if (!(pid instanceof Tuple t) || t.size() == 0 || !(t.get(0) instanceof String kind)) {
            throw bad("persistent id is " + Py.describe(pid) + ", not a ('storage', ...) tuple");
        }
        if (legacy && kind.equals("module") && t.size() >= 2) return t.get(1);   // a class: stays a name
        if (!kind.equals("storage")) throw bad("persistent id of kind '" + kind + "'");
        if (t.size() != (legacy ? 6 : 5)) throw bad("storage persistent id of " + t.size() + " fields");
        if (!(t.get(1) instanceof Global g)) throw bad("storage type is " + Py.describe(t.get(1)));
        ElementType type = ElementType.ofGlobal(g.module(), g.name()).orElseThrow(() ->
                new TorchCheckpointException(file, Fault.UNSUPPORTED_FORMAT, "storage type " + g + " is not supported"
                        + " (supported: float32/64, float16, bfloat16, int64/32/16/8, uint8, bool storages)"));
        if (!(t.get(2) instanceof String key)) throw bad("storage key is " + Py.describe(t.get(2)));
        if (!(t.get(3) instanceof String location)) throw bad("storage location is " + Py.describe(t.get(3)));
        if (!(t.get(4) instanceof Long numel) || numel < 0) throw bad("storage size is " + Py.describe(t.get(4)));
        if (numel > (Integer.MAX_VALUE - 16) / type.bytes) {
            throw new TorchCheckpointException(file, Fault.LIMIT, "storage '" + key + "' declares " + numel + " elements of "
                    + type.bytes + " bytes (more than 2 GiB)");
        }
        locations.add(location);
        Storage root = roots.get(key);
        if (root == null) {
            root = new Storage(key, type, numel, location);
            roots.put(key, root);
        } else if (root.type() != type || root.numel() != numel) {
            throw new TorchCheckpointException(file, Fault.BAD_CONTAINER, "storage '" + key + "' declared twice, as "
                    + root.numel() + " " + root.type() + " and as " + numel + " " + type);
        }
        if (!legacy || t.get(5) == Py.NONE) return root;
        if (!(t.get(5) instanceof Tuple v) || v.size() != 3 || !(v.get(0) instanceof String viewKey)
                || !(v.get(1) instanceof Long offset) || !(v.get(2) instanceof Long count)) {
            throw bad("storage view metadata is " + Py.describe(t.get(5)));
        }
        Storage view = views.get(viewKey);
        if (view == null) {
            view = root.view(viewKey, offset, count, file);
            views.put(viewKey, view);
        }
        return view;
    }

    private TorchCheckpointException bad(String detail) {
        return new TorchCheckpointException(file, Fault.BAD_PICKLE, detail);
    }
}
