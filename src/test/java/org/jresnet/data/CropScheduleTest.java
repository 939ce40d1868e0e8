package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jresnet.io.Normalization;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Smaller crops for the first epochs, full-size after; the loader's batches follow the epoch. */
@Tag("smoke")
class CropScheduleTest {
    private static InMemoryDataset data() {
        int n = 20;
        byte[] p = new byte[n * 8 * 8 * 3];
        new java.util.Random(2).nextBytes(p);
        int[] labels = new int[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) names[i] = "img" + i;
        return new InMemoryDataset(p, labels, names, List.of("a"), 8, 8, 0, false, "rand");
    }

    @Test void earlyEpochsGetTheSmallCropsAndTheRestFullSize() {
        InMemoryDataset ds = data();
        PadCropFlip small = PadCropFlip.trainCrops(Normalization.UNIT, 8, 8, 6);
        PadCropFlip full = PadCropFlip.train(Normalization.UNIT, 8, 8);
        CropSchedule t = new CropSchedule(small, 2, full);
        assertThat(t.forEpoch(0)).isSameAs(small);
        assertThat(t.forEpoch(1)).isSameAs(small);
        assertThat(t.forEpoch(2)).isSameAs(full);
        assertThat(t.height()).isEqualTo(8);
        EpochPlan plan = new EpochPlan(ds.size(), 0, 4);
        try (BatchLoader l = BatchLoader.training(ds, plan, t, 5); BatchLoader plain = BatchLoader.training(ds, plan, full, 5)) {
            assertThat(l.batch(1, 0).images().shape()).containsExactly(5, 6, 6, 3);
            assertThat(l.batch(2, 3).images().shape()).containsExactly(5, 8, 8, 3);
            // After the switch, the batches are exactly those of a run without small crops.
            assertThat(l.batch(2, 3).images().data()).isEqualTo(plain.batch(2, 3).images().data());
            assertThat(l.batch(2, 3).labels()).isEqualTo(plain.batch(2, 3).labels());
        }
    }
}
