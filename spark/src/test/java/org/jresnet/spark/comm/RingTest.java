package org.jresnet.spark.comm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ring's collectives with N ranks as threads of one JVM over loopback sockets (no Spark). */
@Timeout(60)
class RingTest {
    private static final CommOptions OPTS = CommOptions.of(Duration.ofSeconds(20));

    static <T> List<T> onRing(int n, CommOptions opts, RingTestSupport.RankBody<T> body) throws Exception {
        return RingTestSupport.onRing(n, opts, body);
    }

    static float[] randoms(int len, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    @Test
    void meanEqualsTheSumInRingOrderAndIsIdenticalOnEveryRank() throws Exception {
        for (int n : new int[] {1, 2, 3, 4}) {
            // odd length: segments of unequal size; one longer than a chunk to cross chunk borders
            for (int len : new int[] {1, 7, 1001, Ring.CHUNK_BYTES / Float.BYTES * 2 + 13}) {
                List<float[]> got = onRing(n, OPTS, ring -> {
                    float[] x = randoms(len, ring.rank());
                    ring.allReduceMean(x, 0, len);
                    return x;
                });
                float[][] in = new float[n][];
                for (int r = 0; r < n; r++) in[r] = randoms(len, r);
                float[] expect = new float[len];
                for (int seg = 0; seg < n; seg++) {
                    for (int i = Ring.segStart(len, n, seg); i < Ring.segStart(len, n, seg + 1); i++) {
                        // the documented order: start at rank seg, then seg+1, ..., seg-1
                        float sum = in[seg][i];
                        for (int k = 1; k < n; k++) sum += in[(seg + k) % n][i];
                        expect[i] = sum / n;
                    }
                }
                for (int r = 0; r < n; r++) {
                    // Arrays.equals: AssertJ's containsExactly is far too slow on millions of floats
                    assertThat(Arrays.equals(got.get(r), expect)).as("n=%d len=%d rank %d", n, len, r).isTrue();
                }
            }
        }
    }

    @Test
    void allReduceOfASliceLeavesTheRestAlone() throws Exception {
        List<float[]> got = onRing(3, OPTS, ring -> {
            float[] x = {100 + ring.rank(), 1, 2, 3, 4, -1};
            x[1] *= ring.rank() + 1;
            ring.allReduceMean(x, 1, 4);
            return x;
        });
        for (int r = 0; r < 3; r++) {
            assertThat(got.get(r)).containsExactly(100 + r, 2, 2, 3, 4, -1);
        }
    }

    @Test
    void broadcastCopiesTheRootsValuesAndAllGatherCollectsOnePerRank() throws Exception {
        List<Object[]> got = onRing(4, OPTS, ring -> {
            float[] x = randoms(5000, 10 + ring.rank());
            ring.broadcast(x, 0, x.length, 2);
            long[] all = ring.allGather(1000L + ring.rank() * 7L);
            return new Object[] {x, all};
        });
        for (Object[] g : got) {
            assertThat((float[]) g[0]).containsExactly(randoms(5000, 12));
            assertThat((long[]) g[1]).containsExactly(1000, 1007, 1014, 1021);
        }
    }

    @Test
    void aPeerThatDiesFailsItsNeighbourWithTheRankNamed() throws Exception {
        List<String> got = onRing(3, OPTS, ring -> {
            if (ring.rank() == 1) {
                ring.close(); // dies before the collective
                return "dead";
            }
            try {
                ring.allReduceMean(new float[100], 0, 100);
                return "finished";
            } catch (CommException e) {
                return e.getMessage();
            }
        });
        // rank 2 receives from rank 1; rank 0 then loses rank 2 (which failed) or rank 1's socket
        assertThat(got.get(2)).contains("rank 2: lost rank 1");
        assertThat(got.get(0)).startsWith("rank 0: lost");
    }

    @Test
    void aSilentPeerTimesOutWithTheRankNamed() throws Exception {
        CommOptions quick = CommOptions.of(Duration.ofMillis(600));
        List<String> got = onRing(2, quick, ring -> {
            if (ring.rank() == 1) {
                Thread.sleep(3000); // alive but silent
                return "slept";
            }
            try {
                ring.allReduceMean(new float[10_000_000], 0, 10_000_000);
                return "finished";
            } catch (CommException e) {
                return e.getMessage();
            }
        });
        assertThat(got.get(0)).startsWith("rank 0: nothing for").contains("with rank 1").contains("--comm-timeout");
    }

    @Test
    void cancellationEndsAWaitWithinAPollInterval() throws Exception {
        AtomicBoolean cancel = new AtomicBoolean();
        CommOptions opts = new CommOptions(Duration.ofSeconds(30), cancel::get);
        List<Long> got = onRing(2, opts, ring -> {
            if (ring.rank() == 1) {
                Thread.sleep(1500);
                return 0L;
            }
            new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException ignored) {
                    return;
                }
                cancel.set(true);
            }).start();
            long t = System.nanoTime();
            assertThatThrownBy(() -> ring.allReduceMean(new float[10], 0, 10)).isInstanceOf(CommException.Cancelled.class);
            return (System.nanoTime() - t) / 1_000_000;
        });
        assertThat(got.get(0)).isLessThan(1000);
    }

    @Test
    void ranksWithBuffersOfDifferentSizesFailWithAMessage() throws Exception {
        List<String> got = onRing(2, OPTS, ring -> {
            int len = ring.rank() == 0 ? 100 : 102;
            try {
                ring.allReduceMean(new float[len], 0, len);
                return "finished";
            } catch (CommException e) {
                return e.getMessage();
            }
        });
        assertThat(got).anySatisfy(m -> assertThat(m).contains("out of step").contains("same model"));
    }
}
