package org.jresnet.io.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The inert values the pickle machine builds: plain data (Java {@code String}, {@code Long},
 * {@code BigInteger}, {@code Double}, {@code Boolean}, {@link #NONE}), containers, names of globals
 * and placeholders. Nothing here refers to a Java or Python class by the pickle's say-so, and
 * nothing has behaviour beyond holding data.
 *
 * <p>Mutable containers compare by identity (Python does not hash them either), so a pickle that
 * makes a list contain itself cannot send equals/hashCode into an endless recursion; tuples compare
 * by content and their nesting depth is capped when they are built.
 */
final class Py {
    private Py() {}

    /** Python's None (a Java null would be one NullPointerException away from a crash). */
    enum None { NONE }
    static final None NONE = None.NONE;

    /** Shared by every container: how deeply it nests, as built. */
    abstract static class Container {
        int depth = 1;
    }

    static final class Tuple extends Container {
        final List<Object> items;

        Tuple(List<Object> items, int depth) {
            this.items = List.copyOf(items);
            this.depth = depth;
        }

        int size() { return items.size(); }
        Object get(int i) { return items.get(i); }

        @Override public boolean equals(Object o) { return o instanceof Tuple t && t.items.equals(items); }
        @Override public int hashCode() { return items.hashCode(); }
    }

    static final class PyList extends Container {
        final List<Object> items = new ArrayList<>();
    }

    /** A dict or collections.OrderedDict; {@code state} is what BUILD gave it (OrderedDict's {@code _metadata}). */
    static final class Dict extends Container {
        final LinkedHashMap<Object, Object> map = new LinkedHashMap<>();
        Object state = NONE;
    }

    static final class PySet extends Container {
        final LinkedHashSet<Object> items = new LinkedHashSet<>();
    }

    /** bytes / bytearray, compared by content like Python's. */
    record Bytes(byte[] data) {
        @Override public boolean equals(Object o) { return o instanceof Bytes b && Arrays.equals(b.data, data); }
        @Override public int hashCode() { return Arrays.hashCode(data); }
        @Override public String toString() { return "bytes[" + data.length + "]"; }
    }

    /** A name the pickle refers to (GLOBAL, STACK_GLOBAL, INST): only a name, never imported. */
    record Global(String module, String name) {
        String qualified() { return module + "." + name; }
        @Override public String toString() { return qualified(); }
    }

    /**
     * What a pickle asked to build from a global outside the allow-list (a call, a class
     * instantiation, or something done to such a result): it records the global and does nothing.
     * Items and state that the pickle adds to it (SETITEMS, APPENDS, BUILD) are kept inertly.
     */
    static final class Placeholder extends Container {
        final Global global;
        final Object args;
        final List<Object> added = new ArrayList<>();
        Object state = NONE;

        Placeholder(Global global, Object args) {
            this.global = global;
            this.args = args;
        }

        @Override public String toString() { return global + "(...) [never called]"; }
    }

    /** A short description of a value's kind for messages (never recursive). */
    static String describe(Object v) {
        if (v instanceof String s) return "str " + (s.length() > 40 ? "'" + s.substring(0, 40) + "...'" : "'" + s + "'");
        if (v instanceof Long || v instanceof java.math.BigInteger) return "int " + v;
        if (v instanceof Double d) return "float " + d;
        if (v instanceof Boolean b) return "bool " + (b ? "True" : "False");
        if (v == NONE) return "None";
        if (v instanceof Bytes b) return "bytes (" + b.data.length + ")";
        if (v instanceof Tuple t) return "tuple (" + t.size() + " items)";
        if (v instanceof PyList l) return "list (" + l.items.size() + " items)";
        if (v instanceof Dict d) return "dict (" + d.map.size() + " entries)";
        if (v instanceof PySet s) return "set (" + s.items.size() + " items)";
        if (v instanceof Global g) return "the global " + g + " (not imported)";
        if (v instanceof Placeholder p) return "a pickled " + p.global + " object (inert placeholder, never called)";
        if (v instanceof TensorRef t) return "tensor " + t.shapeString() + " " + t.storage().type().name().toLowerCase();
        if (v instanceof Storage s) return "storage '" + s.key() + "'";
        return v.getClass().getSimpleName();
    }
}
