package org.jresnet.experiments;

import java.util.List;
import java.util.SplittableRandom;
import org.jresnet.data.InMemoryDataset;

/** A tiny in-memory dataset: each class a colour with noise. */
final class Synthetic {
    private Synthetic() {}

    static InMemoryDataset dataset(int n, int size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int classes = 3;
        byte[] px = new byte[n * size * size * 3];
        int[] labels = new int[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            names[i] = "img" + i;
            for (int p = 0; p < size * size; p++) {
                for (int c = 0; c < 3; c++) {
                    px[(i * size * size + p) * 3 + c] = (byte) (rnd.nextInt(0, 120) + (c == labels[i] ? 120 : 0));
                }
            }
        }
        return new InMemoryDataset(px, labels, names, List.of("r", "g", "b"), size, size, 0, false, "synthetic");
    }
}
