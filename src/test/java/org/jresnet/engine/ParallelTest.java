package org.jresnet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jresnet.engine.TestEngines;
import org.jresnet.engine.Engine;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The static split of {@link Parallel}: every index once, chunk bounds fixed whoever runs them. */
@Tag("smoke")
class ParallelTest {
    @AfterEach void restore() { TestEngines.reset(); }

    @Test
    void everyIndexOnceAndChunkBoundsDoNotDependOnWhoRunsThem() {
        TestEngines.use(c -> c.withThreads(3));
        for (int round = 0; round < 2000; round++) {
            int n = 1 + round % 97;
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            int[][] bounds = new int[3][];
            int r = round;
            Engine.current().parallel().forRange(n, (chunk, s, e) -> {
                bounds[chunk] = new int[] {s, e};
                for (int i = s; i < e; i++) seen.incrementAndGet(i);
                if (chunk == 1 && r % 3 == 0) Thread.onSpinWait();
            });
            for (int i = 0; i < n; i++) assertThat(seen.get(i)).isEqualTo(1);
            int parts = Math.min(3, n);
            for (int c = 0; c < parts; c++) {
                assertThat(bounds[c]).containsExactly(Parallel.chunkStart(c, parts, n, 1, n),
                        Parallel.chunkStart(c + 1, parts, n, 1, n));
            }
        }
    }

    @Test
    void failureOfAnyChunkReachesTheCallerAndThePoolStillWorks() {
        TestEngines.use(c -> c.withThreads(2));
        assertThatThrownBy(() -> Engine.current().parallel().forRange(10, (chunk, s, e) -> {
            if (chunk == 1) throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        int[] sum = new int[2];
        Engine.current().parallel().forRange(10, (chunk, s, e) -> sum[chunk] = e - s);
        assertThat(sum[0] + sum[1]).isEqualTo(10);
    }

    @Test
    void nestedLoopsRunSequentiallyInsideTheChunk() {
        TestEngines.use(c -> c.withThreads(2));
        int[] inner = new int[2];
        Engine.current().parallel().forRange(2, (chunk, s, e) -> Engine.current().parallel().forRange(8, (c2, s2, e2) -> {
            assertThat(c2).isZero();
            inner[chunk] += e2 - s2;
        }));
        assertThat(inner).containsExactly(8, 8);
    }
}
