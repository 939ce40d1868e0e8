package org.jresnet.io.torch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.io.torch.Py.Dict;
import org.jresnet.io.torch.Py.Placeholder;
import org.jresnet.io.torch.TorchCheckpointException.Fault;

/**
 * Finds the state dict where checkpoints keep it: the top level, or under one of {@link #KEYS}
 * (or the key the user names), and turns it into tensors. Only the chosen dict is read: the other
 * entries (epoch, best accuracy, optimizer state, a pickled argparse.Namespace) are listed, never
 * materialised, and a placeholder inside them is harmless.
 */
final class StateDictLocator {
    /** Where the usual training scripts put the weights, in the order they are looked for. */
    static final List<String> KEYS = List.of("state_dict", "model", "model_state_dict", "net", "network");

    private StateDictLocator() {}

    record Found(Map<String, TensorRef> tensors, String where, List<String> others) {}

    static Found locate(Object top, String key, Path file) throws TorchCheckpointException {
        if (key != null) {
            if (!(top instanceof Dict d)) throw none(file, "--key " + key + ": the checkpoint holds " + Py.describe(top) + ", not a dict");
            if (!d.map.containsKey(key)) throw none(file, "no entry '" + key + "'; entries: " + keysOf(d));
            return new Found(tensors(d.map.get(key), "entry '" + key + "'", file), "entry '" + key + "'", others(d, key));
        }
        if (top instanceof Dict d) {
            if (looksLikeStateDict(d)) return new Found(tensors(d, "the top-level dict", file), "top level", List.of());
            for (String k : KEYS) {
                if (d.map.containsKey(k)) return new Found(tensors(d.map.get(k), "entry '" + k + "'", file), "entry '" + k + "'", others(d, k));
            }
            throw none(file, "no state dict: the checkpoint is a dict of " + keysOf(d) + " and none is one of " + KEYS
                    + "; choose one with --key");
        }
        throw none(file, "the checkpoint holds " + Py.describe(top) + ", not a state dict"
                + (top instanceof Placeholder ? " (a whole pickled object: jresnet reads state dicts, save model.state_dict())" : ""));
    }

    /** Tensors (or things that should have been tensors) as values, and no nested dicts. */
    private static boolean looksLikeStateDict(Dict d) {
        boolean anyTensor = false;
        for (Object v : d.map.values()) {
            if (v instanceof Dict) return false;
            if (v instanceof TensorRef) anyTensor = true;
        }
        return anyTensor;
    }

    private static Map<String, TensorRef> tensors(Object v, String what, Path file) throws TorchCheckpointException {
        if (v instanceof Placeholder p) {
            throw new TorchCheckpointException(file, Fault.UNSAFE_GLOBAL, what + " is a pickled " + p.global
                    + " object, not a state dict (never called: jresnet reads state dicts only, save model.state_dict())");
        }
        if (!(v instanceof Dict d)) throw none(file, what + " is " + Py.describe(v) + ", not a state dict");
        if (d.map.isEmpty()) throw none(file, what + " is an empty dict");
        Map<String, TensorRef> out = new LinkedHashMap<>();
        for (var e : d.map.entrySet()) {
            if (!(e.getKey() instanceof String name)) throw none(file, what + " has a key that is " + Py.describe(e.getKey()));
            Object t = e.getValue();
            if (t instanceof TensorRef r) out.put(name, r);
            else if (t instanceof Placeholder p) {
                throw new TorchCheckpointException(file, Fault.UNSAFE_GLOBAL, "state dict entry '" + name + "' is a pickled "
                        + p.global + " object, a global outside the allow-list (never called, refused)");
            } else {
                throw none(file, "state dict entry '" + name + "' is " + Py.describe(t) + ", not a tensor");
            }
        }
        return out;
    }

    private static List<String> others(Dict d, String chosen) {
        List<String> out = new ArrayList<>();
        for (var e : d.map.entrySet()) {
            if (!chosen.equals(e.getKey())) out.add(label(e.getKey()) + ": " + Py.describe(e.getValue()));
        }
        return out;
    }

    private static String keysOf(Dict d) {
        List<String> ks = new ArrayList<>();
        for (Object k : d.map.keySet()) {
            if (ks.size() == 10) {
                ks.add("...");
                break;
            }
            ks.add(label(k));
        }
        return ks.toString();
    }

    private static String label(Object k) {
        return k instanceof String s ? s : Py.describe(k);
    }

    private static TorchCheckpointException none(Path file, String detail) {
        return new TorchCheckpointException(file, Fault.NO_STATE_DICT, detail);
    }
}
