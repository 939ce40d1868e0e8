import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.jresnet.api.Network;
import org.jresnet.kernel.KernelWorkspace;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.tensor.Tensor;

/**
 * Live heap of a network that only infers, and what holds it. Args: MODEL BATCH SIZE infer|predict
 * [CALLERS]. Runs two passes (per caller), then prints the used heap after System.gc() and the
 * primitive arrays reachable from the network (plus the calling threads' kernel workspaces), each
 * counted once, under the field that first reaches it in a breadth-first walk: e.g.
 * Parameter.value (weights), PackedWeightCache.panels (packed weights), Conv2d.y (a layer's own
 * output buffer), TransientBuffers.arrays (the shared slots), KernelWorkspace.* (kernel scratch).
 */
public class HeldMemory {
    public static void main(String[] a) throws Exception {
        if (a.length < 4) throw new IllegalArgumentException("args: MODEL BATCH SIZE infer|predict [CALLERS]");
        String model = a[0], mode = a[3];
        int batch = Integer.parseInt(a[1]), size = Integer.parseInt(a[2]);
        int callers = a.length > 4 ? Integer.parseInt(a[4]) : 1;
        long base = usedAfterGc();
        float[] images = new float[batch * size * size * 3];
        Random r = new Random(1);
        for (int i = 0; i < images.length; i++) images[i] = (float) r.nextGaussian();
        Object root;
        List<Object> workspaces = Collections.synchronizedList(new ArrayList<>());
        if (mode.equals("infer")) {
            ResNet net = Models.create(model);
            net.setTraining(false);
            Tensor x = Tensor.of(images, batch, size, size, 3);
            for (int i = 0; i < 2; i++) net.infer(x);
            root = net;
            workspaces.add(KernelWorkspace.forThisThread());
        } else if (mode.equals("predict")) {
            Network net = Network.create(model).maxConcurrentCalls(callers);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < 2; i++) net.predict(images, size, size, Network.Layout.NHWC);
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                    workspaces.add(KernelWorkspace.forThisThread());   // what a thread that lives on keeps
                });
                th.start();
                threads.add(th);
            }
            start.countDown();
            for (Thread th : threads) th.join();
            root = net;
        } else {
            throw new IllegalArgumentException("mode must be infer or predict, got " + mode);
        }
        long used = usedAfterGc();
        System.out.printf("%s %s, batch %d, %dx%d, %d caller(s): used heap after gc %.1f MB (%.1f MB before the network; input %.1f MB)%n",
                model, mode, batch, size, size, callers, used / 1e6, base / 1e6, images.length * 4 / 1e6);
        Map<String, long[]> held = account(root, workspaces);
        long total = 0;
        for (long[] v : held.values()) total += v[0];
        System.out.printf("primitive arrays reachable from the network and its callers' kernel workspaces: %.1f MB%n", total / 1e6);
        held.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
                .filter(e -> e.getValue()[0] >= 100_000)
                .forEach(e -> System.out.printf("  %8.1f MB  %5d arrays  %s%n", e.getValue()[0] / 1e6, e.getValue()[1], e.getKey()));
        for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (l.startsWith("VmHWM")) System.out.println("peak RSS (VmHWM) " + l.substring(6).trim());
        }
    }

    static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Bytes and count of primitive arrays by label: the class and field that first reached each. */
    static Map<String, long[]> account(Object root, List<Object> workspaces) throws IllegalAccessException {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> todo = new ArrayDeque<>();
        todo.add(new Object[] {root, root.getClass().getSimpleName()});
        for (Object w : workspaces) todo.add(new Object[] {w, "KernelWorkspace of a calling thread"});
        Map<String, long[]> out = new TreeMap<>();
        while (!todo.isEmpty()) {
            Object[] item = todo.poll();
            Object o = item[0];
            String label = (String) item[1];
            if (o == null || seen.put(o, Boolean.TRUE) != null) continue;
            Class<?> c = o.getClass();
            if (c.isArray()) {
                Class<?> t = c.getComponentType();
                if (t.isPrimitive()) {
                    int bytesEach = t == double.class || t == long.class ? 8 : t == float.class || t == int.class ? 4 : t == boolean.class || t == byte.class ? 1 : 2;
                    long[] s = out.computeIfAbsent(label, k -> new long[2]);
                    s[0] += 16 + (long) Array.getLength(o) * bytesEach;
                    s[1]++;
                } else {
                    for (int i = 0; i < Array.getLength(o); i++) todo.add(new Object[] {Array.get(o, i), label});
                }
                continue;
            }
            String name = c.getName();
            // not the engine's threads, locks, classes, strings or boxes
            if (name.startsWith("java.lang.") || name.startsWith("java.util.concurrent.locks")
                    || name.startsWith("java.util.concurrent.Semaphore") || name.startsWith("org.jresnet.engine")) {
                continue;
            }
            boolean through = name.startsWith("java.") || c == Tensor.class || c.isSynthetic() || name.contains("$$Lambda");
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
                    try {
                        f.setAccessible(true);
                    } catch (RuntimeException e) {
                        continue;
                    }
                    todo.add(new Object[] {f.get(o), through ? label : c.getSimpleName() + "." + f.getName()});
                }
            }
        }
        return out;
    }
}
