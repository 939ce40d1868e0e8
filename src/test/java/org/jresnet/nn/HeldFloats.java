package org.jresnet.nn;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The float arrays an object graph holds (tests of what a network keeps between passes): every
 * field of jresnet's own classes, followed into arrays, maps and collections, each array counted
 * once. Objects of the classes {@code skip} accepts are not entered (e.g. the weights).
 */
public final class HeldFloats {
    private HeldFloats() {}

    /** Every distinct float array reachable from {@code root}, not through an object {@code skip} accepts. */
    public static List<float[]> arrays(Object root, Predicate<Object> skip) {
        return reachable(root, skip, float[].class);
    }

    /** Every distinct object of {@code type} reachable from {@code root}. */
    public static <T> List<T> instances(Object root, Class<T> type) {
        return reachable(root, o -> false, type);
    }

    private static <T> List<T> reachable(Object root, Predicate<Object> skip, Class<T> type) {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object> todo = new ArrayDeque<>();
        List<T> out = new ArrayList<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            Object o = todo.poll();
            if (seen.put(o, Boolean.TRUE) != null || skip.test(o)) continue;
            if (type.isInstance(o)) out.add(type.cast(o));
            if (o instanceof float[]) {
                continue;
            } else if (o instanceof Object[] a) {
                for (Object e : a) if (e != null) todo.add(e);
            } else if (o instanceof Map<?, ?> m) {
                for (var e : m.entrySet()) {
                    if (e.getKey() != null) todo.add(e.getKey());
                    if (e.getValue() != null) todo.add(e.getValue());
                }
            } else if (o instanceof Collection<?> c) {
                for (Object e : c) if (e != null) todo.add(e);
            } else if (own(o.getClass()) && !(o instanceof Enum<?>)) {
                for (Class<?> k = o.getClass(); own(k); k = k.getSuperclass()) {
                    for (Field f : k.getDeclaredFields()) {
                        if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
                        f.setAccessible(true);
                        try {
                            Object v = f.get(o);
                            if (v != null) todo.add(v);
                        } catch (IllegalAccessException e) {
                            throw new AssertionError(e);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean own(Class<?> k) { return k != null && k.getName().startsWith("org.jresnet."); }

    /** Floats in {@code arrays}. */
    public static long floats(Collection<float[]> arrays) {
        long n = 0;
        for (float[] a : arrays) n += a.length;
        return n;
    }

    /** The value arrays of every parameter and buffer of {@code net}: its weights. */
    public static Set<float[]> weights(Layer net) {
        Set<float[]> w = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Parameter p : net.parameters().values()) w.add(p.value().data());
        for (Buffer b : net.buffers().values()) w.add(b.value().data());
        return w;
    }
}
