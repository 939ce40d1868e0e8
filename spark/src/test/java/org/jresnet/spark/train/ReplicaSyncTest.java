package org.jresnet.spark.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.models.ResNet;
import org.jresnet.spark.comm.CommOptions;
import org.jresnet.spark.comm.RingTestSupport;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.TrainStep;
import org.junit.jupiter.api.Test;

/**
 * ReplicaSync on two ranks (threads, no Spark): rank 0's BN buffers reach rank 1 in one packed
 * message, and the step's split puts the time a rank waits for a slower peer into wait_s, not
 * into allreduce_s.
 */
class ReplicaSyncTest {
    private static final int BATCH = 8, SIZE = 8, STEPS = 2;
    private static final long SLOW_MS = 400;

    /** What one rank ends with: its BN buffers, its step parts, then a second take (reset), and its steps' wall time. */
    private record RankResult(Map<String, float[]> buffers, Map<String, Double> parts, Map<String, Double> again,
                              double wallS) {}

    private static List<RankResult> run(boolean syncBn, boolean rank1Slow) throws Exception {
        return RingTestSupport.onRing(2, CommOptions.of(Duration.ofSeconds(30)), ring -> {
            try (Engine e = Engine.create(EngineConfig.defaults().withThreads(1)); Engine.Scope s = e.bind()) {
                ResNet m = RingGradientHookTest.model();
                TrainStep.Builder b = TrainStep.builder(m, RingGradientHookTest.sgd(m));
                if (rank1Slow && ring.rank() == 1) {
                    // a rank that reaches the seam late, as a slower machine would
                    b.hook(seam -> {
                        try {
                            Thread.sleep(SLOW_MS);
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
                ReplicaSync.wire(b, ring, 1, syncBn);
                TrainStep step = b.build();
                int local = Sharding.localBatch(BATCH, 2);
                long t0 = System.nanoTime();
                for (int k = 0; k < STEPS; k++) {
                    Tensor mine = new Tensor(RingGradientHookTest.images(k), ring.rank() * local * SIZE * SIZE * 3,
                            local, SIZE, SIZE, 3);
                    step.run(mine, Arrays.copyOfRange(RingGradientHookTest.labels(k), ring.rank() * local,
                            (ring.rank() + 1) * local), 0.1f);
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                Map<String, float[]> bufs = new LinkedHashMap<>();
                m.buffers().forEach((k, v) -> bufs.put(k, v.value().toArray()));
                return new RankResult(bufs, step.takeStepParts(), step.takeStepParts(), wall);
            }
        });
    }

    @Test
    void everyRankEndsWithRankZerosBnBuffers() throws Exception {
        List<RankResult> r = run(false, false);
        assertThat(r.get(0).buffers()).hasSize(r.get(1).buffers().size()).isNotEmpty();
        boolean moved = false;
        for (String k : r.get(0).buffers().keySet()) {
            assertThat(r.get(1).buffers().get(k)).as(k).containsExactly(r.get(0).buffers().get(k));
            if (k.endsWith("running_mean")) {
                for (float v : r.get(0).buffers().get(k)) moved |= v != 0;
            }
        }
        // the ranks trained on different images: equal buffers come from the copy, not from equal data
        assertThat(moved).isTrue();
    }

    @Test
    void aSlowPeerShowsAsWaitNotAsAllReduce() throws Exception {
        List<RankResult> r = run(false, true);
        Map<String, Double> fast = r.get(0).parts(), slow = r.get(1).parts();
        assertThat(fast).containsOnlyKeys("compute_s", "wait_s", "allreduce_s", "sync_s");
        double slept = STEPS * SLOW_MS / 1e3;
        System.out.printf("rank 0 (fast): %s%nrank 1 (slow by %.1f s): %s%n", fast, slept, slow);
        // The fast rank waits at least the sleep less what it computes before the seam (more when
        // the slow rank computes too), whatever else the machine runs: a fixed share of the sleep
        // (0.8) failed in CI on a loaded 2-core host (0.618 s of 0.8), where the fast rank's compute
        // was stretched.
        assertThat(fast.get("wait_s")).isGreaterThan(slept - fast.get("compute_s") - 0.02);
        assertThat(fast.get("allreduce_s")).isLessThan(fast.get("wait_s") / 4);
        assertThat(slow.get("wait_s")).isLessThan(fast.get("wait_s") / 4);
        for (RankResult rr : r) {
            Map<String, Double> p = rr.parts();
            assertThat(p.values()).allMatch(v -> v >= 0);
            assertThat(p.get("compute_s")).isPositive();
            assertThat(p.get("allreduce_s")).isPositive();
            double sum = p.values().stream().mapToDouble(Double::doubleValue).sum();
            assertThat(sum).as("the parts fit in the steps' wall time").isLessThanOrEqualTo(rr.wallS());
            assertThat(rr.again().values()).as("a take resets").containsOnly(0.0);
        }
    }

    @Test
    void syncBnExchangesAreTimedApartFromCompute() throws Exception {
        List<RankResult> r = run(true, false);
        for (RankResult rr : r) {
            assertThat(rr.parts()).containsKey("bn_stats_s");
            assertThat(rr.parts().get("bn_stats_s")).isPositive();
            assertThat(rr.parts().get("compute_s")).isPositive();
        }
    }
}
