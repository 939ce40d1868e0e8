package org.jresnet.experiments;

import java.util.IdentityHashMap;
import java.util.Map;
import org.jresnet.data.Batch;
import org.jresnet.data.BatchLoader;
import org.jresnet.data.Dataset;
import org.jresnet.data.Transform;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Layer;
import org.jresnet.nn.ResidualBlock;

/** What the analysis experiments share: fixed image subsets, one batch of them, and layer names. */
final class Probe {
    private Probe() {}

    /**
     * {@code n} indices spread evenly over {@code 0..size-1} (ImageFolder order is by class, so the
     * first n would all be one class); {@code n <= 0} or {@code n >= size} gives every index.
     */
    static int[] evenlySpaced(int size, int n) {
        int m = n <= 0 || n >= size ? size : n;
        int[] idx = new int[m];
        for (int i = 0; i < m; i++) idx[i] = (int) ((long) i * size / m);
        return idx;
    }

    /** The images {@code idx} of {@code ds} as one batch, in the given order. */
    static Batch batch(Dataset ds, int[] idx, Transform t) {
        try (BatchLoader l = BatchLoader.evaluation(ds, idx, t, idx.length)) {
            return l.batch(0, 0);
        }
    }

    /** Dotted module names ("layer2.0", "layer1.0.conv1") of every layer of {@code net}. */
    static Map<Layer, String> names(ResNet net) {
        Map<Layer, String> m = new IdentityHashMap<>();
        for (var e : net.modules().entrySet()) {
            String k = e.getKey();
            m.put(e.getValue(), k.endsWith(".") ? k.substring(0, k.length() - 1) : k);
        }
        return m;
    }

    /** Down-sampling blocks change the map size or width: their shortcut is not the identity. */
    static boolean downsampling(ResidualBlock b) { return b.stride != 1 || b.cin != b.cout; }

    static double norm(org.jresnet.tensor.Tensor t) {
        double s = 0;
        float[] d = t.data();
        for (int i = t.offset(), e = t.offset() + t.size(); i < e; i++) s += (double) d[i] * d[i];
        return Math.sqrt(s);
    }
}
