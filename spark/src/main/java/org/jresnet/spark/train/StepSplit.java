package org.jresnet.spark.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jresnet.train.EpochMetrics;

/**
 * The end-of-run line of {@code spark train}: where rank 0's step time went, summed over the
 * epochs whose rows hold the split (see {@link ReplicaSync} for what each part measures).
 */
public final class StepSplit {
    /** Parts in the order they are printed, with their labels. */
    private static final Map<String, String> LABELS = labels();

    private StepSplit() {}

    private static Map<String, String> labels() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("compute_s", "compute");
        m.put("bn_stats_s", "sync-BN exchanges");
        m.put("wait_s", "wait");
        m.put("allreduce_s", "all-reduce");
        m.put("sync_s", "BN buffers + checksums");
        return m;
    }

    /**
     * "step split (rank 0, 2 epochs): step 41.3 s = compute 37.0 (89.6%) + wait 0.9 (2.2%) + ...";
     * empty when no row holds the split (a one-worker run, or rows from before it was recorded).
     */
    public static String summary(List<EpochMetrics> rows) {
        double step = 0, dataWait = 0;
        Map<String, Double> sums = new LinkedHashMap<>();
        int epochs = 0;
        for (EpochMetrics r : rows) {
            Map<String, Double> parts = r.times().stepParts();
            if (!parts.containsKey("compute_s") || !r.times().known()) continue;
            epochs++;
            step += r.times().stepS();
            dataWait += r.times().dataWaitS();
            parts.forEach((k, v) -> sums.merge(k, v, Double::sum));
        }
        if (epochs == 0) return "";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "step split (rank 0, %d epoch%s): step %.1f s =",
                epochs, epochs == 1 ? "" : "s", step));
        double rest = step;
        String sep = " ";
        for (var e : LABELS.entrySet()) {
            Double v = sums.get(e.getKey());
            if (v == null) continue;
            rest -= v;
            sb.append(sep).append(part(e.getValue(), v, step));
            sep = " + ";
        }
        sb.append(sep).append(part("update and checks", rest, step));
        sb.append(String.format(Locale.ROOT, "; data wait %.1f s", dataWait));
        return sb.toString();
    }

    private static String part(String label, double s, double step) {
        return String.format(Locale.ROOT, "%s %.1f (%.1f%%)", label, s, step > 0 ? 100 * s / step : 0);
    }
}
