package org.jresnet.spark.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShardingTest {
    @Test
    void ranksTakeConsecutiveSlicesThatRebuildTheGlobalBatch() {
        int[] global = {9, 4, 7, 1, 0, 3};
        assertThat(Sharding.slice(global, 0, 3)).containsExactly(9, 4);
        assertThat(Sharding.slice(global, 1, 3)).containsExactly(7, 1);
        assertThat(Sharding.slice(global, 2, 3)).containsExactly(0, 3);
        assertThat(Sharding.slice(global, 0, 1)).containsExactly(global);
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefusedNamingTheFlag() {
        assertThatThrownBy(() -> Sharding.localBatch(10, 3)).hasMessage("--batch 10 does not split into 3 equal worker batches");
        assertThatThrownBy(() -> Sharding.localBatch(2, 4)).hasMessageContaining("--batch 2");
    }
}
