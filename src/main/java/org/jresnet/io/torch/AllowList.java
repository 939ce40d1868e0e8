package org.jresnet.io.torch;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.jresnet.io.torch.Py.Dict;
import org.jresnet.io.torch.Py.Global;
import org.jresnet.io.torch.Py.PyList;
import org.jresnet.io.torch.Py.Tuple;
import org.jresnet.io.torch.TorchCheckpointException.Fault;

/**
 * The only globals a checkpoint may "call", and what calling one means here: rebuilding a tensor
 * view of a storage ({@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_tensor},
 * {@code _rebuild_parameter}, {@code _rebuild_parameter_with_state},
 * {@code torch._tensor._rebuild_from_type_v2} of those) or making a {@code collections.OrderedDict}.
 * Each is implemented here in Java on inert arguments with checked types; nothing is looked up by
 * name. Storage classes ({@code torch.FloatStorage}, {@code torch.cuda.HalfStorage}, ...) appear
 * only as the type inside a persistent id ({@link ElementType#ofGlobal}).
 */
final class AllowList {
    static final Set<String> CALLABLE = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "torch._tensor._rebuild_from_type_v2");
    private static final Set<String> TENSOR_TYPES = Set.of("torch.Tensor", "torch._tensor.Tensor",
            "torch.nn.parameter.Parameter", "torch.nn.Parameter");

    private final Path file;
    private final Limits limits;

    AllowList(Path file, Limits limits) {
        this.file = file;
        this.limits = limits;
    }

    static boolean isOrderedDict(Global g) {
        return g.qualified().equals("collections.OrderedDict");
    }

    /** The value of calling {@code g(*args)} if {@code g} is allowed, else null (the caller makes a placeholder). */
    Object call(Global g, Tuple args) throws TorchCheckpointException {
        switch (g.qualified()) {
            case "collections.OrderedDict": {
                Dict d = new Dict();
                if (args.size() == 1 && args.get(0) instanceof PyList pairs) {
                    for (Object p : pairs.items) {
                        List<Object> kv = p instanceof Tuple t ? t.items : p instanceof PyList l ? l.items : null;
                        if (kv == null || kv.size() != 2) throw bad("OrderedDict item is " + Py.describe(p) + ", not a pair");
                        if (kv.get(0) instanceof PyList || kv.get(0) instanceof Dict) throw bad("unhashable OrderedDict key");
                        d.map.put(kv.get(0), kv.get(1));
                    }
                } else if (args.size() != 0) {
                    throw bad("OrderedDict called with " + args.size() + " arguments");
                }
                return d;
            }
            case "torch._utils._rebuild_tensor_v2":      // (storage, offset, size, stride, requires_grad, hooks[, metadata])
                if (args.size() < 6 || args.size() > 7) throw arity(g, args);
                return tensor(args);
            case "torch._utils._rebuild_tensor":         // (storage, offset, size, stride)
                if (args.size() != 4) throw arity(g, args);
                return tensor(args);
            case "torch._utils._rebuild_parameter":      // (data, requires_grad, hooks)
            case "torch._utils._rebuild_parameter_with_state": {   // (data, requires_grad, hooks, state)
                if (args.size() < 3 || args.size() > 4) throw arity(g, args);
                if (!(args.get(0) instanceof TensorRef t)) throw bad(g + " of " + Py.describe(args.get(0)) + ", not a tensor");
                return t;
            }
            case "torch._tensor._rebuild_from_type_v2": {  // (func, type, args, state): func(*args) as type
                if (args.size() != 4) throw arity(g, args);
                if (!(args.get(0) instanceof Global f) || !CALLABLE.contains(f.qualified()) || isOrderedDict(f)
                        || f.qualified().equals(g.qualified())) {
                    return null;
                }
                if (!(args.get(1) instanceof Global type) || !TENSOR_TYPES.contains(type.qualified())) return null;
                if (!(args.get(2) instanceof Tuple inner)) throw bad(g + " arguments are " + Py.describe(args.get(2)));
                return call(f, inner);
            }
            default:
                return null;
        }
    }

    private TensorRef tensor(Tuple a) throws TorchCheckpointException {
        if (!(a.get(0) instanceof Storage s)) throw bad("tensor rebuilt from " + Py.describe(a.get(0)) + ", not a storage");
        long offset = integer(a.get(1), "storage offset");
        long[] size = ints(a.get(2), "size"), stride = ints(a.get(3), "stride");
        return TensorRef.of(s, offset, size, stride, file, limits);
    }

    private long[] ints(Object o, String what) throws TorchCheckpointException {
        if (!(o instanceof Tuple t)) throw bad("tensor " + what + " is " + Py.describe(o) + ", not a tuple");
        if (t.size() > limits.maxDims()) {
            throw new TorchCheckpointException(file, Fault.LIMIT, "tensor " + what + " of " + t.size() + " dimensions (limit "
                    + limits.maxDims() + ")");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) out[i] = integer(t.get(i), what);
        return out;
    }

    private long integer(Object o, String what) throws TorchCheckpointException {
        if (o instanceof Long l) return l;
        if (o instanceof java.math.BigInteger) {
            throw new TorchCheckpointException(file, Fault.LIMIT, "tensor " + what + " " + o + " does not fit 64 bits");
        }
        throw bad("tensor " + what + " is " + Py.describe(o) + ", not an int");
    }

    private TorchCheckpointException arity(Global g, Tuple args) {
        return bad(g + " called with " + args.size() + " arguments");
    }

    private TorchCheckpointException bad(String detail) {
        return new TorchCheckpointException(file, Fault.BAD_PICKLE, detail);
    }
}
