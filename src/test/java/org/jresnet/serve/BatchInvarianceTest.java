package org.jresnet.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.junit.jupiter.api.Test;

/**
 * The batcher relies on this: an image's logits and features are the same bits whether it runs
 * alone or among others, at any position in the batch. Batch sizes that are not multiples of the
 * kernels' register blocks put images on remainder paths.
 */
class BatchInvarianceTest {
    private static void check(String model, int size, int batch) {
        ResNet net = Models.create(ModelConfig.of(model).withSeed(5));
        ModelRunner r = new ModelRunner(net, size, size, org.jresnet.engine.Engine.current());
        int per = r.imageFloats();
        float[] x = new float[batch * per];
        SplittableRandom rnd = new SplittableRandom(batch);
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 4 - 2);
        ModelRunner.Outputs all = r.forward(x, batch);
        int k = r.classes(), f = r.featureSize();
        for (int i = 0; i < batch; i++) {
            ModelRunner.Outputs one = r.forward(Arrays.copyOfRange(x, i * per, (i + 1) * per), 1);
            assertThat(one.logits()).as("%s logits of image %d of %d", model, i, batch)
                    .isEqualTo(Arrays.copyOfRange(all.logits(), i * k, (i + 1) * k));
            assertThat(one.features()).as("%s features of image %d of %d", model, i, batch)
                    .isEqualTo(Arrays.copyOfRange(all.features(), i * f, (i + 1) * f));
        }
    }

    @Test void cifarNet() {
        check("resnet20", 32, 16);
        check("resnet20", 32, 13);
    }

    /** Stem 7x7/2, max pool, bottlenecks with strided 3x3 and projections; 64x64 keeps it fast. */
    @Test void imagenetNet() {
        check("resnet50", 64, 3);
        check("resnet18", 64, 3);
    }

    /**
     * 112x112 puts 14x14 and 7x7 planes in the network, whose 4x4 Winograd tiles overhang the plane
     * (224 inputs have them too): the inference algorithm chosen for them must not depend on how many
     * images share the batch. Six images are enough tiles for any rule that counts them.
     */
    @Test void planesOfPartialWinogradTiles() {
        check("resnet18", 112, 6);
    }
}
