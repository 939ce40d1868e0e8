package org.jresnet.experiments;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.data.BatchLoader;
import org.jresnet.data.InMemoryDataset;
import org.jresnet.io.Normalization;
import org.jresnet.data.PadCropFlip;
import org.jresnet.data.Transform;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.train.Evaluation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("smoke")
class LesionTest {
    static final InMemoryDataset DS = Synthetic.dataset(12, 8, 1);
    static final Transform T = PadCropFlip.eval(Normalization.UNIT, 8, 8);

    static ResNet net(String name) {
        ResNet net = Models.create(ModelConfig.of(name).withNumClasses(3).withSeed(5));
        // Non-trivial BN statistics, so that eval mode differs from a fresh net.
        for (var b : net.buffers().entrySet()) {
            if (b.getKey().endsWith("running_var")) b.getValue().value().fill(1.7f);
            if (b.getKey().endsWith("running_mean")) b.getValue().value().fill(0.05f);
        }
        return net;
    }

    @Test void deletingNoBlockIsTheIntactEvaluation() {
        for (String name : new String[] {"resnet20", "plain20"}) {
            ResNet net = net(name);
            int[] all = BatchLoader.all(DS);
            Evaluation intact = Evaluation.run(net, DS, all, T, 100);
            assertThat(Lesion.errorWithDeleted(net, new int[0], DS, all, T)).isEqualTo(intact.error());
        }
    }

    @Test void deletedBlocksAreRestoredAndChangeTheOutput() {
        ResNet net = net("resnet20");
        int[] all = BatchLoader.all(DS);
        net.setTraining(false);
        var logits = net.forward(Probe.batch(DS, all, T).images()).copy();
        Lesion.errorWithDeleted(net, new int[] {1, 4, 7}, DS, all, T);
        for (ResidualBlock b : net.blocks()) assertThat(b.deleted()).isFalse();
        var again = net.forward(Probe.batch(DS, all, T).images());
        assertThat(again.toArray()).containsExactly(logits.toArray());
        net.blocks().get(4).setDeleted(true);
        assertThat(net.forward(Probe.batch(DS, all, T).images()).toArray()).isNotEqualTo(logits.toArray());
    }

    @Test void drawsAreSeededSortedDistinctAndFromThePool() {
        int[] pool = {0, 1, 2, 4, 5, 6, 8};
        int[][][] a = Lesion.draws(pool, 5, 4, 11), b = Lesion.draws(pool, 5, 4, 11);
        assertThat(a).isDeepEqualTo(b);
        for (int k = 1; k <= 5; k++) {
            for (int[] s : a[k - 1]) {
                assertThat(s).hasSize(k).isSorted().doesNotHaveDuplicates();
                for (int i : s) assertThat(pool).contains(i);
            }
        }
        assertThat(Lesion.draws(pool, 5, 4, 12)).isNotEqualTo(a);
    }
}
