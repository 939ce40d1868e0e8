package org.jresnet.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Probabilities and the best classes of one row of logits, as {@code predict --json} prints them
 * ({@code {"class", "index", "prob"}}): softmax in double over the float logits, so a served
 * prediction and a command-line one of the same logits are the same numbers, bit for bit.
 */
public final class TopClasses {
    private TopClasses() {}

    /** Softmax of row {@code row} of {@code logits [N * k]}, in double. */
    public static double[] softmax(float[] logits, int row, int k) {
        java.util.Objects.requireNonNull(logits, "logits");
        if (k < 1 || row < 0 || (long) (row + 1) * k > logits.length) {
            throw new IllegalArgumentException("no row " + row + " of k = " + k + " in " + logits.length + " logits");
        }
        return org.jresnet.nn.SoftmaxCrossEntropy.probabilities(logits, row * k, k);
    }

    /** The {@code top} most probable classes of {@code p}, best first (ties keep index order). */
    public static List<Map<String, Object>> top(double[] p, List<String> classes, int top) {
        int k = p.length;
        if (classes.size() != k) throw new IllegalArgumentException(k + " probabilities but " + classes.size() + " class names");
        Integer[] order = new Integer[k];
        for (int j = 0; j < k; j++) order[j] = j;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        List<Map<String, Object>> out = new ArrayList<>();
        for (int j = 0; j < Math.min(top, k); j++) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("class", classes.get(order[j]));
            t.put("index", order[j]);
            t.put("prob", p[order[j]]);
            out.add(t);
        }
        return out;
    }
}
