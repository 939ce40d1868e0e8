package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.io.Normalization;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CIFAR-10 sample shipped in data/ (made by scripts/make_sample.py): its layout and a training batch. */
class BundledSampleTest {
    @TempDir Path tmp;

    @Test void sampleIsBalancedAndFeedsAugmentedBatches() {
        Path cache = tmp.resolve("cache");
        try (Dataset train = Datasets.open(ImageDecoderPilParityTest.SAMPLE, Split.TRAIN, TestImages.quiet(cache));
             Dataset test = Datasets.open(ImageDecoderPilParityTest.SAMPLE, Split.TEST, TestImages.quiet(cache))) {
            assertThat(train.classes()).containsExactlyElementsOf(CifarBinary.CLASSES);
            assertThat(test.classes()).containsExactlyElementsOf(CifarBinary.CLASSES);
            assertThat(train.size()).isEqualTo(5000);
            assertThat(test.size()).isEqualTo(1000);
            int[] perClass = new int[10];
            for (int i = 0; i < test.size(); i++) perClass[test.label(i)]++;
            assertThat(perClass).containsOnly(100);
            assertThat(train.height()).isEqualTo(32);

            Normalization norm = ChannelStatistics.normalization(train, BatchLoader.all(train), 2);
            // The sample's statistics are close to the full training split's (0.491, 0.482, 0.447).
            assertThat(norm.mean()[0]).isBetween(0.46, 0.52);
            EpochPlan plan = new EpochPlan(train.size(), 500, 0);
            try (BatchLoader loader = BatchLoader.training(train, plan, PadCropFlip.train(norm, 32, 32), 128);
                 Prefetcher p = loader.prefetch(0, 0, 2)) {
                assertThat(loader.batchesPerEpoch()).isEqualTo(4500 / 128);
                Batch b = p.next();
                assertThat(b.images().shape()).containsExactly(128, 32, 32, 3);
                double sum = 0;
                for (float v : b.images().toArray()) sum += v;
                assertThat(sum / b.images().size()).isBetween(-0.3, 0.3);
            }
        }
    }
}
