package org.jresnet.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Weights holding NaN or infinite values: the output of a diverged training, never of a good one.
 * Such weights are never written (a diverged run keeps its last finite checkpoint) and never loaded
 * (they would predict nonsense, or train on as NaN). The message names the tensors.
 */
public final class NonFiniteWeightsException extends IOException {
    /** Tensors named in a message; the rest are counted. */
    private static final int NAMED = 3;

    private final Map<String, Integer> counts;

    public NonFiniteWeightsException(String message, Map<String, Integer> counts) {
        super(message);
        this.counts = Map.copyOf(counts);
    }

    /** Non-finite values per tensor name. */
    public Map<String, Integer> counts() { return counts; }

    /** Values of {@code d[from, from + n)} that are NaN or infinite. */
    public static int count(float[] d, int from, int n) {
        int bad = 0;
        for (int i = from, end = from + n; i < end; i++) if (!Float.isFinite(d[i])) bad++;
        return bad;
    }

    /** The tensors of {@code tensors} that hold non-finite values, with how many each (in order). */
    public static Map<String, Integer> scan(Map<String, TensorData> tensors) {
        Map<String, Integer> bad = new LinkedHashMap<>();
        for (var e : tensors.entrySet()) {
            float[] f = e.getValue().floats();   // integer tensors are always finite
            if (f == null) continue;
            int n = count(f, 0, f.length);
            if (n > 0) bad.put(e.getKey(), n);
        }
        return bad;
    }

    /** "1,234 NaN/infinite values in 3 tensors (conv1.weight: 432, bn1.running_var: 16, ...)". */
    public static String describe(Map<String, Integer> counts) {
        long total = 0;
        for (int c : counts.values()) total += c;
        List<String> named = new ArrayList<>();
        for (var e : counts.entrySet()) {
            if (named.size() == NAMED) {
                named.add("...");
                break;
            }
            named.add(e.getKey() + ": " + e.getValue());
        }
        return String.format(Locale.ROOT, "%,d NaN/infinite value%s in %d tensor%s (%s)", total, total == 1 ? "" : "s",
                counts.size(), counts.size() == 1 ? "" : "s", String.join(", ", named));
    }
}
