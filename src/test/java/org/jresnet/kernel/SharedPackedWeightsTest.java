package org.jresnet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A network's inference replicas share one cache per convolution: panels handed to one caller are
 * never packed over for another (a layer at another plane size takes another layout).
 */
class SharedPackedWeightsTest {
    @Test
    void panelsHandedOutAreNeverPackedAgain() {
        PackedWeightCache cache = new PackedWeightCache();
        float[] f4 = cache.get(PackedWeightCache.WINOGRAD_F4, 8, p -> Arrays.fill(p, 4f));
        assertThat(cache.get(PackedWeightCache.WINOGRAD_F4, 8, p -> Arrays.fill(p, -1f))).as("held").isSameAs(f4);
        float[] f2 = cache.get(PackedWeightCache.WINOGRAD, 4, p -> Arrays.fill(p, 2f));
        assertThat(f2).isNotSameAs(f4).containsOnly(2f);
        assertThat(f4).as("a caller may still be reading it").containsOnly(4f);
        cache.clear();
        assertThat(f2).containsOnly(2f);
        assertThat(cache.get(PackedWeightCache.WINOGRAD, 4, p -> Arrays.fill(p, 3f))).isNotSameAs(f2).containsOnly(3f);
    }
}
