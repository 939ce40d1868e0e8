package org.jresnet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jresnet.engine.TestEngines;
import org.jresnet.engine.Engine;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The static split of {@link Parallel}: every index once, chunk bounds fixed whoever runs them;
 * and its balanced loop: every unit once, each slot on one thread at a time, a held-up share taken over.
 */
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

    @Test
    void everyUnitRunsOnceAndASlotIsNeverOnTwoThreadsAtOnce() {
        TestEngines.use(c -> c.withThreads(3));
        for (int round = 0; round < 2000; round++) {
            int n = 1 + round % 61;
            AtomicIntegerArray seen = new AtomicIntegerArray(n), busy = new AtomicIntegerArray(3);
            int r = round;
            Engine.current().parallel().forUnits(n, (slot, units) -> {
                assertThat(busy.compareAndSet(slot, 0, 1)).as("slot %d on two threads", slot).isTrue();
                for (int u; (u = units.next()) >= 0; ) {
                    seen.incrementAndGet(u);
                    if (slot == 1 && r % 3 == 0) Thread.onSpinWait();
                }
                busy.set(slot, 0);
            });
            for (int i = 0; i < n; i++) assertThat(seen.get(i)).as("unit %d of %d", i, n).isEqualTo(1);
        }
    }

    @Test
    void aHeldUpThreadsShareIsTakenOverFromItsEnd() throws InterruptedException {
        TestEngines.use(c -> c.withThreads(2));
        int n = 20;   // shares [0, 10) for slot 0 (the caller) and [10, 20)
        int[] ranBy = new int[n];
        CountDownLatch lastOfShare0 = new CountDownLatch(1);
        boolean[] released = new boolean[1];
        Engine.current().parallel().forUnits(n, (slot, units) -> {
            for (int u; (u = units.next()) >= 0; ) {
                ranBy[u] = slot;
                if (u == 9) lastOfShare0.countDown();
                if (u == 0) {
                    // held up in its first unit until the other thread has reached the end of this share
                    try {
                        released[0] = lastOfShare0.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        });
        assertThat(released[0]).as("the other thread took unit 9 while slot 0 was held up").isTrue();
        assertThat(ranBy[9]).isEqualTo(1);
        for (int u = 10; u < n; u++) assertThat(ranBy[u]).isEqualTo(1);
    }

    @Test
    void nestedBalancedLoopsRunEveryUnitOnTheCaller() {
        TestEngines.use(c -> c.withThreads(2));
        int[] inner = new int[2];
        Engine.current().parallel().forRange(2, (chunk, s, e) -> Engine.current().parallel().forUnits(8, (slot, units) -> {
            assertThat(slot).isZero();
            while (units.next() >= 0) inner[chunk]++;
        }));
        assertThat(inner).containsExactly(8, 8);
    }

    @Test
    void failureOfABalancedLoopReachesTheCaller() {
        TestEngines.use(c -> c.withThreads(2));
        assertThatThrownBy(() -> Engine.current().parallel().forUnits(10, (slot, units) -> {
            for (int u; (u = units.next()) >= 0; ) if (u == 7) throw new IllegalStateException("unit 7");
        })).isInstanceOf(IllegalStateException.class).hasMessage("unit 7");
    }
}
