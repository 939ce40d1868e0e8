package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jresnet.io.Normalization;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("smoke")
class PrefetcherTest {
    /** 37 random 4x4 images, labels i % 3. */
    private static InMemoryDataset data() {
        int n = 37;
        byte[] p = new byte[n * 48];
        new java.util.Random(5).nextBytes(p);
        int[] labels = new int[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            names[i] = "img" + i;
        }
        return new InMemoryDataset(p, labels, names, List.of("a", "b", "c"), 4, 4, 0, false, "rand");
    }

    private static BatchLoader loader(Dataset ds, int workers) {
        EpochPlan plan = new EpochPlan(ds.size(), 5, 9);
        return new BatchLoader(ds, new PadCropFlip(Normalization.UNIT, 4, 4, 1, true), plan::order, 8, true, 9, workers);
    }

    @Test void prefetchedBatchesAreTheDirectBatchesInOrderAndResumeMidEpoch() {
        InMemoryDataset ds = data();
        try (BatchLoader l = loader(ds, 1); BatchLoader l3 = loader(ds, 3)) {
            assertThat(l.batchesPerEpoch()).isEqualTo(32 / 8);
            List<Batch> got = new ArrayList<>();
            try (Prefetcher p = l.prefetch(2, 0, 2)) {
                while (p.hasNext()) got.add(p.next());
            }
            assertThat(got).hasSize(4);
            for (int k = 0; k < 4; k++) {
                Batch direct = l3.batch(2, k);
                assertThat(got.get(k).index()).isEqualTo(k);
                assertThat(got.get(k).images().toArray()).isEqualTo(direct.images().toArray());
                assertThat(got.get(k).labels()).isEqualTo(direct.labels());
                assertThat(got.get(k).images().shape()).containsExactly(8, 4, 4, 3);
            }
            try (Prefetcher p = l.prefetch(2, 2, 1)) {
                Batch b = p.next();
                assertThat(b.index()).isEqualTo(2);
                assertThat(b.images().toArray()).isEqualTo(got.get(2).images().toArray());
            }
            // Labels follow the indices and no held-out image appears.
            int[] val = new EpochPlan(ds.size(), 5, 9).val();
            for (Batch b : got) {
                for (int j = 0; j < b.size(); j++) {
                    assertThat(b.labels()[j]).isEqualTo(b.indices()[j] % 3);
                    assertThat(val).doesNotContain(b.indices()[j]);
                }
            }
        }
    }

    @Test void evaluationKeepsTheLastPartialBatchInGivenOrder() {
        InMemoryDataset ds = data();
        try (BatchLoader l = BatchLoader.evaluation(ds, BatchLoader.all(ds), PadCropFlip.eval(Normalization.UNIT, 4, 4), 10)) {
            assertThat(l.batchesPerEpoch()).isEqualTo(4);
            Batch last = l.batch(0, 3);
            assertThat(last.indices()).containsExactly(30, 31, 32, 33, 34, 35, 36);
            assertThat(last.images().get(0)).isEqualTo((ds.pixels()[30 * 48] & 0xFF) / 255f);
        }
    }

    @Test void producerErrorsReachTheConsumerAndCloseStopsTheThread() {
        InMemoryDataset ds = data();
        Transform failing = new Transform() {
            @Override public int height() { return 4; }
            @Override public int width() { return 4; }
            @Override public void apply(Dataset d, int i, Rng rng, float[] out, int off) {
                if (i == 17) throw new BadImageException("img17", "boom");
            }
        };
        int[] order = BatchLoader.all(ds);
        try (BatchLoader l = new BatchLoader(ds, failing, e -> order, 8, true, 0, 1); Prefetcher p = l.prefetch(0, 0, 1)) {
            assertThat(p.next().index()).isEqualTo(0);
            assertThat(p.next().index()).isEqualTo(1);
            assertThatThrownBy(p::next).isInstanceOf(BadImageException.class).hasMessageContaining("img17");
            assertThat(p.hasNext()).isFalse();
        }
        Thread[] before = liveThreads();
        try (BatchLoader l = loader(ds, 1)) {
            Prefetcher p = l.prefetch(0, 0, 1);
            p.next();
            p.close();
        }
        assertThat(liveThreads()).noneMatch(t -> t.getName().startsWith("jresnet-prefetch") && !List.of(before).contains(t));
    }

    private static Thread[] liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).toArray(Thread[]::new);
    }
}
