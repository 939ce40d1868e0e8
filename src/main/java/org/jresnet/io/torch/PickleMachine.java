package org.jresnet.io.torch;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.io.torch.Py.Bytes;
import org.jresnet.io.torch.Py.Container;
import org.jresnet.io.torch.Py.Dict;
import org.jresnet.io.torch.Py.Global;
import org.jresnet.io.torch.Py.Placeholder;
import org.jresnet.io.torch.Py.PyList;
import org.jresnet.io.torch.Py.PySet;
import org.jresnet.io.torch.Py.Tuple;
import org.jresnet.io.torch.TorchCheckpointException.Fault;

/**
 * A pickle interpreter that executes nothing. It reads the opcodes of protocols 0 to 5 and builds
 * inert values ({@link Py}): a GLOBAL is only a name, a REDUCE/NEWOBJ/INST/OBJ of a global is a
 * {@link Placeholder} unless the global is on {@link AllowList} (which rebuilds tensors from
 * storages and makes OrderedDicts, and nothing else). No class is loaded, no method called, no
 * code evaluated, whatever the bytes say: there is no path from the input to behaviour.
 *
 * <p>Every read is bounds-checked against the stream, every length against {@link Limits} before
 * anything is allocated; the memo, the number of objects, open MARKs and container nesting are
 * capped. Any fault is a {@link TorchCheckpointException} naming the opcode and its byte offset.
 */
final class PickleMachine {
    /** Resolves a persistent id (torch's storages); never given anything but inert values. */
    interface PersistentLoader {
        Object load(Object pid) throws TorchCheckpointException;
    }

    private static final int HIGHEST_PROTOCOL = 5;

    private final ByteBuffer in;
    private final Path file;
    private final Limits limits;
    private final PersistentLoader persistent;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final AllowList allow;
    private long objects;
    private int opPos;
    private int op;

    /** Reads from {@code in}'s position up to its limit; after {@link #run} the position is just past STOP. */
    PickleMachine(ByteBuffer in, Path file, Limits limits, PersistentLoader persistent) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.file = file;
        this.limits = limits;
        this.persistent = persistent;
        this.allow = new AllowList(file, limits);
    }

    /** Interprets one pickle up to its STOP and returns its value. */
    Object run() throws TorchCheckpointException {
        int start = in.position();
        while (true) {
            if (!in.hasRemaining()) throw fault(Fault.BAD_PICKLE, "the pickle ends without a STOP opcode at byte " + in.position());
            if ((long) in.position() - start > limits.maxPickleBytes()) {
                throw fault(Fault.LIMIT, "pickle longer than " + limits.maxPickleBytes() + " bytes");
            }
            opPos = in.position();
            op = in.get() & 0xff;
            switch (op) {
                case '.' -> { return pop(); }                                   // STOP
                case 0x80 -> {                                                  // PROTO
                    int v = u1();
                    if (v > HIGHEST_PROTOCOL) throw bad("unsupported pickle protocol " + v);
                }
                case 0x95 -> {                                                  // FRAME: a length hint only
                    long n = in8();
                    if (n < 0 || n > in.remaining()) throw bad("frame of " + n + " bytes past the end of the pickle");
                }
                case '(' -> {                                                   // MARK
                    if (marks.size() >= limits.maxMarks()) throw fault(Fault.LIMIT, "more than " + limits.maxMarks() + " open MARKs");
                    marks.add(stack.size());
                }
                case '0' -> pop();                                              // POP
                case '1' -> popMark();                                          // POP_MARK
                case '2' -> push(peek());                                       // DUP
                case 'N' -> push(Py.NONE);
                case 0x88 -> push(Boolean.TRUE);                                // NEWTRUE
                case 0x89 -> push(Boolean.FALSE);                               // NEWFALSE
                case 'I' -> push(parseInt(line()));                             // INT
                case 'J' -> push((long) in4());                                 // BININT
                case 'K' -> push((long) u1());                                  // BININT1
                case 'M' -> push((long) u2());                                  // BININT2
                case 'L' -> push(parseLong(line()));                            // LONG
                case 0x8a -> push(longLE(u1()));                                // LONG1
                case 0x8b -> push(longLE(in4()));                               // LONG4
                case 'F' -> push(parseFloat(line()));                           // FLOAT
                case 'G' -> {                                                   // BINFLOAT (big-endian)
                    need(8);
                    push(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                    in.order(ByteOrder.LITTLE_ENDIAN);
                }
                case 'S' -> push(utf8(PickleText.unrepr(line(), this::bad)));   // STRING
                case 'T' -> push(utf8(bytes(in4())));                          // BINSTRING
                case 'U' -> push(utf8(bytes(u1())));                           // SHORT_BINSTRING
                case 'V' -> push(PickleText.rawUnicodeEscape(line(), this::bad)); // UNICODE
                case 'X' -> push(utf8(bytes(u4())));                           // BINUNICODE
                case 0x8c -> push(utf8(bytes(u1())));                          // SHORT_BINUNICODE
                case 0x8d -> push(utf8(bytes(in8())));                         // BINUNICODE8
                case 'B' -> push(new Bytes(bytes(u4())));                      // BINBYTES
                case 'C' -> push(new Bytes(bytes(u1())));                      // SHORT_BINBYTES
                case 0x8e, 0x96 -> push(new Bytes(bytes(in8())));              // BINBYTES8, BYTEARRAY8
                case ')' -> push(tuple(List.of()));                             // EMPTY_TUPLE
                case 't' -> push(tuple(popMark()));                             // TUPLE
                case 0x85 -> push(tuple(popN(1)));                              // TUPLE1
                case 0x86 -> push(tuple(popN(2)));                              // TUPLE2
                case 0x87 -> push(tuple(popN(3)));                              // TUPLE3
                case ']' -> push(new PyList());                                 // EMPTY_LIST
                case 'l' -> {                                                   // LIST
                    PyList l = new PyList();
                    for (Object o : popMark()) addTo(l, l.items, o);
                    push(l);
                }
                case 'a' -> append(pop());                                      // APPEND
                case 'e' -> { for (Object o : popMark()) append(o); }           // APPENDS
                case '}' -> push(new Dict());                                   // EMPTY_DICT
                case 'd' -> {                                                   // DICT
                    Dict d = new Dict();
                    setItems(d, popMark());
                    push(d);
                }
                case 's' -> {                                                   // SETITEM
                    Object v = pop(), k = pop();
                    setItems(peek(), List.of(k, v));
                }
                case 'u' -> {                                                   // SETITEMS
                    List<Object> kv = popMark();
                    setItems(peek(), kv);
                }
                case 0x8f -> push(new PySet());                                 // EMPTY_SET
                case 0x90 -> {                                                  // ADDITEMS
                    List<Object> items = popMark();
                    Object s = peek();
                    if (!(s instanceof PySet set)) throw bad("ADDITEMS on " + Py.describe(s));
                    for (Object o : items) addTo(set, set.items, hashable(o));
                }
                case 0x91 -> {                                                  // FROZENSET
                    PySet s = new PySet();
                    for (Object o : popMark()) addTo(s, s.items, hashable(o));
                    push(s);
                }
                case 'p' -> put(parseIndex(line()));                            // PUT
                case 'q' -> put(u1());                                          // BINPUT
                case 'r' -> put(u4());                                          // LONG_BINPUT
                case 0x94 -> put(memo.size());                                  // MEMOIZE
                case 'g' -> get(parseIndex(line()));                            // GET
                case 'h' -> get(u1());                                          // BINGET
                case 'j' -> get(u4());                                          // LONG_BINGET
                case 'c' -> {                                                   // GLOBAL
                    String module = ascii(line()), name = ascii(line());
                    push(new Global(module, name));
                }
                case 0x93 -> {                                                  // STACK_GLOBAL
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw bad("STACK_GLOBAL needs two str, got " + Py.describe(module) + " and " + Py.describe(name));
                    }
                    push(new Global(m, n));
                }
                case 'R' -> {                                                   // REDUCE
                    Object args = pop(), callable = pop();
                    push(call(callable, args));
                }
                case 0x81 -> {                                                  // NEWOBJ: cls.__new__(cls, *args)
                    Object args = pop(), cls = pop();
                    push(instance(cls, args));
                }
                case 0x92 -> {                                                  // NEWOBJ_EX
                    Object kwargs = pop(), args = pop(), cls = pop();
                    if (!(kwargs instanceof Dict)) throw bad("NEWOBJ_EX keyword arguments are " + Py.describe(kwargs));
                    push(instance(cls, args));
                }
                case 'i' -> {                                                   // INST
                    Global g = new Global(ascii(line()), ascii(line()));
                    push(new Placeholder(g, tuple(popMark())));
                }
                case 'o' -> {                                                   // OBJ
                    List<Object> items = popMark();
                    if (items.isEmpty()) throw bad("OBJ without a class");
                    push(instance(items.get(0), tuple(items.subList(1, items.size()))));
                }
                case 'b' -> build(pop(), peek());                               // BUILD
                case 'P' -> push(persistent(ascii(line())));                    // PERSID
                case 'Q' -> push(persistent(pop()));                            // BINPERSID
                case 0x82, 0x83, 0x84 -> throw fault(Fault.UNSAFE_GLOBAL,       // EXT1, EXT2, EXT4
                        "extension-registry opcode (copyreg code): refused, torch.save never writes it");
                case 0x97, 0x98 -> throw bad("out-of-band buffer opcode: refused, torch.save never writes it");
                default -> throw bad(String.format("unknown opcode 0x%02x", op));
            }
        }
    }

    // ------------------------------------------------------------------ calls, inertly

    private Object call(Object callable, Object args) throws TorchCheckpointException {
        Tuple t = argsTuple(args, "REDUCE");
        if (callable instanceof Global g) {
            Object built = allow.call(g, t);
            return built != null ? built : new Placeholder(g, t);
        }
        if (callable instanceof Placeholder p) return new Placeholder(p.global, t);
        throw bad("REDUCE calls " + Py.describe(callable) + ", which is not a global");
    }

    private Object instance(Object cls, Object args) throws TorchCheckpointException {
        Tuple t = argsTuple(args, "NEWOBJ");
        if (cls instanceof Global g) {
            if (AllowList.isOrderedDict(g) && t.size() == 0) return new Dict();
            return new Placeholder(g, t);
        }
        if (cls instanceof Placeholder p) return new Placeholder(p.global, t);
        throw bad("instantiates " + Py.describe(cls) + ", which is not a class");
    }

    private Tuple argsTuple(Object args, String what) throws TorchCheckpointException {
        if (args instanceof Tuple t) return t;
        throw bad(what + " arguments are " + Py.describe(args) + ", not a tuple");
    }

    /** BUILD (__setstate__): kept as data on placeholders and dicts, ignored on tensors. */
    private void build(Object state, Object target) throws TorchCheckpointException {
        if (target instanceof Placeholder p) p.state = state;
        else if (target instanceof Dict d) d.state = state;
        else if (!(target instanceof TensorRef)) throw bad("BUILD on " + Py.describe(target));
    }

    private Object persistent(Object pid) throws TorchCheckpointException {
        if (persistent == null) throw bad("a persistent id where none may be");
        return persistent.load(pid);
    }

    // ------------------------------------------------------------------ containers

    private void append(Object v) throws TorchCheckpointException {
        Object target = peek();
        if (target instanceof PyList l) addTo(l, l.items, v);
        else if (target instanceof Placeholder p) addTo(p, p.added, v);
        else throw bad("APPEND to " + Py.describe(target));
    }

    private void setItems(Object target, List<Object> kv) throws TorchCheckpointException {
        if (kv.size() % 2 != 0) throw bad("odd number of items (" + kv.size() + ") for a dict");
        for (int i = 0; i < kv.size(); i += 2) {
            Object k = hashable(kv.get(i)), v = kv.get(i + 1);
            if (target instanceof Dict d) {
                count();
                d.map.put(k, v);
                nest(d, k);
                nest(d, v);
            } else if (target instanceof Placeholder p) {
                addTo(p, p.added, k);
                addTo(p, p.added, v);
            } else {
                throw bad("SETITEM on " + Py.describe(target));
            }
        }
    }

    private void addTo(Container c, java.util.Collection<Object> items, Object v) throws TorchCheckpointException {
        count();
        items.add(v);
        nest(c, v);
    }

    /** Records that {@code c} now holds {@code v}: depth as built, capped. */
    private void nest(Container c, Object v) throws TorchCheckpointException {
        if (v instanceof Container inner) {
            if (inner.depth + 1 > c.depth) c.depth = inner.depth + 1;
            if (c.depth > limits.maxDepth()) throw fault(Fault.LIMIT, "containers nested deeper than " + limits.maxDepth());
        }
    }

    private Tuple tuple(List<Object> items) throws TorchCheckpointException {
        int depth = 1;
        for (Object o : items) if (o instanceof Container c) depth = Math.max(depth, c.depth + 1);
        if (depth > limits.maxDepth()) throw fault(Fault.LIMIT, "containers nested deeper than " + limits.maxDepth());
        return new Tuple(items, depth);
    }

    /** Dict keys and set items: what Python can hash (mutable containers cannot). */
    private Object hashable(Object k) throws TorchCheckpointException {
        if (k instanceof PyList || k instanceof Dict || k instanceof PySet) throw bad("unhashable " + Py.describe(k) + " as a key");
        if (k instanceof Tuple t) for (Object o : t.items) hashable(o);
        return k;
    }

    // ------------------------------------------------------------------ stack and memo

    private void push(Object v) throws TorchCheckpointException {
        count();
        stack.add(v);
    }

    private void count() throws TorchCheckpointException {
        if (++objects > limits.maxObjects()) throw fault(Fault.LIMIT, "more than " + limits.maxObjects() + " objects");
    }

    private Object pop() throws TorchCheckpointException {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) throw bad("stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws TorchCheckpointException {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) throw bad("stack underflow");
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) throws TorchCheckpointException {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() - floor < n) throw bad("stack underflow");
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        List<Object> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    private List<Object> popMark() throws TorchCheckpointException {
        if (marks.isEmpty()) throw bad("no MARK to pop to");
        int m = marks.remove(marks.size() - 1);
        List<Object> top = stack.subList(m, stack.size());
        List<Object> out = new ArrayList<>(top);
        top.clear();
        return out;
    }

    private void put(long index) throws TorchCheckpointException {
        if (index < 0) throw bad("negative memo index " + index);
        if (!memo.containsKey(index) && memo.size() >= limits.maxMemo()) {
            throw fault(Fault.LIMIT, "more than " + limits.maxMemo() + " memo entries");
        }
        memo.put(index, peek());
    }

    private void get(long index) throws TorchCheckpointException {
        Object v = memo.get(index);
        if (v == null) throw bad("memo index " + index + " was never stored");
        push(v);
    }

    // ------------------------------------------------------------------ operands

    private void need(long n) throws TorchCheckpointException {
        if (n > in.remaining()) throw bad("truncated: needs " + n + " bytes, " + in.remaining() + " left");
    }

    private int u1() throws TorchCheckpointException {
        need(1);
        return in.get() & 0xff;
    }

    private int u2() throws TorchCheckpointException {
        need(2);
        return in.getShort() & 0xffff;
    }

    private int in4() throws TorchCheckpointException {
        need(4);
        return in.getInt();
    }

    private long u4() throws TorchCheckpointException {
        need(4);
        return in.getInt() & 0xffffffffL;
    }

    private long in8() throws TorchCheckpointException {
        need(8);
        return in.getLong();
    }

    /** {@code n} raw bytes; the length is checked against the cap and the stream before allocating. */
    private byte[] bytes(long n) throws TorchCheckpointException {
        if (n < 0) throw bad("negative length " + n);
        if (n > limits.maxStringBytes()) throw fault(Fault.LIMIT, "string of " + n + " bytes (limit " + limits.maxStringBytes() + ")");
        need(n);
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    /** A protocol-0 text operand up to its newline (not included). */
    private byte[] line() throws TorchCheckpointException {
        int start = in.position();
        int max = (int) Math.min(in.remaining(), (long) limits.maxStringBytes() + 1);
        for (int i = 0; i < max; i++) {
            if (in.get(start + i) == '\n') {
                byte[] b = new byte[i];
                in.get(b);
                in.get();
                return b;
            }
        }
        if (max < in.remaining()) throw fault(Fault.LIMIT, "text operand longer than " + limits.maxStringBytes() + " bytes");
        throw bad("text operand without its newline (truncated)");
    }

    private Object longLE(long n) throws TorchCheckpointException {
        if (n < 0) throw bad("negative length " + n);
        if (n > limits.maxLongBytes()) throw fault(Fault.LIMIT, "integer of " + n + " bytes (limit " + limits.maxLongBytes() + ")");
        byte[] le = bytes(n);
        if (n == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        return normalise(new BigInteger(be));
    }

    private static Object normalise(BigInteger b) {
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    private Object parseInt(byte[] line) throws TorchCheckpointException {
        String s = ascii(line).trim();
        if (s.equals("00")) return Boolean.FALSE;
        if (s.equals("01")) return Boolean.TRUE;
        return parseLong(line);
    }

    private Object parseLong(byte[] line) throws TorchCheckpointException {
        String s = ascii(line).trim();
        if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
        if (s.length() > limits.maxLongBytes() * 3) throw fault(Fault.LIMIT, "integer of " + s.length() + " digits");
        try {
            return normalise(new BigInteger(s));
        } catch (NumberFormatException e) {
            throw bad("bad integer '" + clip(s) + "'");
        }
    }

    private long parseIndex(byte[] line) throws TorchCheckpointException {
        Object v = parseLong(line);
        if (!(v instanceof Long l)) throw bad("memo index out of range");
        return l;
    }

    private Double parseFloat(byte[] line) throws TorchCheckpointException {
        String s = ascii(line).trim();
        switch (s) {
            case "inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            case "nan": return Double.NaN;
            default:
                if (!s.matches("[-+]?[0-9.eE+-]+")) throw bad("bad float '" + clip(s) + "'");
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw bad("bad float '" + clip(s) + "'");
                }
        }
    }

    /** torch.load decodes Python 2 str as UTF-8 too; malformed bytes become U+FFFD, harmlessly. */
    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    TorchCheckpointException bad(String detail) {
        return fault(Fault.BAD_PICKLE, detail);
    }

    private TorchCheckpointException fault(Fault f, String detail) {
        return new TorchCheckpointException(file, f, String.format("pickle opcode 0x%02x at byte %d: %s", op, opPos, detail));
    }
}
