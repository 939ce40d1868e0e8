package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EpochPlanTest {
    @Test void validationSplitIsDisjointDeterministicAndSeeded() {
        EpochPlan p = new EpochPlan(100, 10, 42);
        assertThat(p.val()).hasSize(10);
        assertThat(p.train()).hasSize(90);
        int[] both = IntStream.concat(Arrays.stream(p.train()), Arrays.stream(p.val())).sorted().toArray();
        assertThat(both).isEqualTo(IntStream.range(0, 100).toArray());
        assertThat(new EpochPlan(100, 10, 42).val()).isEqualTo(p.val());
        assertThat(new EpochPlan(100, 10, 43).val()).isNotEqualTo(p.val());
        assertThat(p.val()).as("not simply the last images").isNotEqualTo(IntStream.range(90, 100).toArray());
        assertThat(new EpochPlan(100, 0, 42).train()).isEqualTo(IntStream.range(0, 100).toArray());
    }

    @Test void eachEpochIsASeededPermutationOfTheTrainingImages() {
        EpochPlan p = new EpochPlan(50, 5, 1);
        int[] e0 = p.order(0), e1 = p.order(1);
        assertThat(Arrays.stream(e0).sorted().toArray()).isEqualTo(p.train());
        assertThat(Arrays.stream(e1).sorted().toArray()).isEqualTo(p.train());
        assertThat(e0).isNotEqualTo(e1);
        assertThat(new EpochPlan(50, 5, 1).order(1)).isEqualTo(e1);
    }

    @Test void holdingOutEverythingIsRefused() {
        assertThatThrownBy(() -> new EpochPlan(10, 10, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot hold out 10 of 10");
    }
}
