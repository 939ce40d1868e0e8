package org.jresnet.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jresnet.engine.Engine;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.junit.jupiter.api.Test;

/** The batching rule with closed-loop clients, the load every benchmark and many real callers apply. */
class BatcherTest {
    /** A forward that takes FORWARD_MS whatever the batch, as a large model's would dwarf the delay. */
    private static final long FORWARD_MS = 150, DELAY_MS = 40;
    /** A round trip on loopback with decoding, well inside the delay. */
    private static final long RETURN_MS = 5;

    @Test void aFullQueueRefusesAWholeRequestUntilItDrains() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1), release = new java.util.concurrent.CountDownLatch(1);
        ModelRunner held = new ModelRunner(Models.create(ModelConfig.of("resnet20").withSeed(1)), 32, 32, Engine.current()) {
            @Override Outputs forward(float[] images, int n) {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.forward(images, n);
            }
        };
        try (Batcher b = new Batcher("t", held, 1, 0, 2, 0, (size, nanos) -> { })) {
            b.warm().get();
            List<CompletableFuture<Batcher.Result>> first = b.submit(List.of(new float[32 * 32 * 3]));
            running.await(30, TimeUnit.SECONDS);   // taken off the queue, its batch held in the forward
            assertThat(b.capacity()).isEqualTo(2);
            List<CompletableFuture<Batcher.Result>> second = b.submit(List.of(new float[32 * 32 * 3], new float[32 * 32 * 3]));
            assertThat(second).hasSize(2);
            assertThat(b.submit(List.of(new float[32 * 32 * 3]))).as("full for now").isNull();
            release.countDown();
            first.get(0).get(30, TimeUnit.SECONDS);
            for (CompletableFuture<Batcher.Result> f : second) f.get(30, TimeUnit.SECONDS);
            assertThat(b.submit(List.of(new float[32 * 32 * 3]))).as("drained").hasSize(1);
        }
    }

    @Test void closedLoopClientsArrivingInTwoWavesEndUpInOneBatch() throws Exception {
        ModelRunner slow = new ModelRunner(Models.create(ModelConfig.of("resnet20").withSeed(1)), 32, 32, Engine.current()) {
            @Override Outputs forward(float[] images, int n) {
                try {
                    Thread.sleep(FORWARD_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.forward(images, n);
            }
        };
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        int clients = 8, rounds = 6;
        try (Batcher b = new Batcher("t", slow, 16, TimeUnit.MILLISECONDS.toNanos(DELAY_MS), 64, 0,
                (size, nanos) -> sizes.add(size))) {
            b.warm().get();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                // the second half starts once the first half's batch is running: two waves
                long start = c < clients / 2 ? 0 : DELAY_MS + FORWARD_MS / 3;
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(start);
                        for (int r = 0; r < rounds; r++) {
                            List<CompletableFuture<Batcher.Result>> f = b.submit(List.of(new float[32 * 32 * 3]));
                            f.get(0).get(30, TimeUnit.SECONDS);
                            Thread.sleep(RETURN_MS);   // the answer's way back and the next request's way in
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) t.join();
        }
        // counting the delay from arrival alone keeps the waves apart for good (4, 4, 4, ... twelve
        // batches); counting it from the previous batch's end too lets the answered first wave join
        // the waiting second: the first wave alone, then both together, then the second's last round
        assertThat(sizes).containsExactly(4, 8, 8, 8, 8, 8, 4);
    }
}
