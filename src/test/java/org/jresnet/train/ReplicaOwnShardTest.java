package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jresnet.data.Dataset;
import org.jresnet.data.EpochPlan;
import org.jresnet.data.InMemoryDataset;
import org.jresnet.data.RgbImage;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.io.Normalization;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Own-shard replicas (the Spark Estimator's mode): each trains on its own dataset only, b = batch /
 * workers images a step, every image once an epoch, and with averaged gradients (here an in-JVM
 * all-reduce between two threads) the replicas stay one model.
 */
class ReplicaOwnShardTest {
    static final int SHARD = 12, EPOCHS = 2, BATCH = 4, WORKERS = 2;

    /** A shard that counts how often each of its images' labels is read (once per image a batch takes). */
    record Counting(InMemoryDataset ds, AtomicIntegerArray reads) implements Dataset {
        @Override public int size() { return ds.size(); }
        @Override public List<String> classes() { return ds.classes(); }
        @Override public int label(int i) {
            reads.incrementAndGet(i);
            return ds.label(i);
        }
        @Override public String name(int i) { return ds.name(i); }
        @Override public RgbImage image(int i) { return ds.image(i); }
        @Override public int height() { return ds.height(); }
        @Override public int width() { return ds.width(); }
        @Override public int skipped() { return 0; }
        @Override public boolean skipBad() { return false; }
        @Override public String description() { return "shard"; }
    }

    static InMemoryDataset images(int n, long seed) {
        int size = 8;
        byte[] px = new byte[n * size * size * 3];
        new SplittableRandom(seed).nextBytes(px);
        int[] labels = new int[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            names[i] = "img" + i;
        }
        return new InMemoryDataset(px, labels, names, List.of("a", "b", "c"), size, size, 0, false, "tiny");
    }

    @Test void eachReplicaStepsThroughItsOwnShardAndAveragedGradientsKeepThemOneModel(@TempDir Path tmp) throws Exception {
        CyclicBarrier meet = new CyclicBarrier(WORKERS);
        float[][] slots = new float[WORKERS][];
        AtomicIntegerArray[] reads = {new AtomicIntegerArray(SHARD), new AtomicIntegerArray(SHARD)};
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<TrainingRun.Outcome>> runs = new java.util.ArrayList<>();
            for (int r = 0; r < WORKERS; r++) {
                int rank = r;
                runs.add(pool.submit(() -> {
                    TrainStep.GradientHook mean = seam -> {
                        Tensor g = seam.flatGradients();
                        int n = (int) g.size();
                        float[] mine = new float[n];
                        System.arraycopy(g.data(), g.offset(), mine, 0, n);
                        slots[rank] = mine;
                        await(meet);
                        for (int i = 0; i < n; i++) g.data()[g.offset() + i] = (slots[0][i] + slots[1][i]) / 2;
                        await(meet);   // both have read the slots before the next step writes them
                    };
                    Replica replica = Replica.ownShard(rank, WORKERS, b -> b.hook(mean));
                    TrainConfig cfg = new TrainConfig(new TrainConfig.Model("resnet20", null, null, 0, false, false),
                            new TrainConfig.Data(Path.of("shards"), 0, Normalization.UNIT, false, null),
                            new TrainConfig.Optimizer(0.9, 1e-4, false),
                            new TrainConfig.Schedule(LrSchedule.Kind.COSINE, 0.05, null, 0.1, 0, 0, 0),
                            new TrainConfig.Run(tmp.resolve("rank" + rank), EPOCHS, BATCH, WORKERS, 5, 0, 1));
                    // different images on each rank, and different sizes of held-out data: only the shard counts
                    InMemoryDataset shard = images(SHARD, 10 + rank);
                    var data = new TrainingRun.Data(new Counting(shard, reads[rank]), images(3, 20),
                            new EpochPlan(SHARD, 0, 7 + rank), Normalization.UNIT);
                    try (Engine e = Engine.create(EngineConfig.defaults().withThreads(1)); Engine.Scope s = e.bind()) {
                        return TrainingRun.start(cfg, data, new ProgressReporter(ProgressReporter.Mode.QUIET), null, replica);
                    }
                }));
            }
            TrainingRun.Outcome o0 = runs.get(0).get(), o1 = runs.get(1).get();
            assertThat(o0.complete()).isTrue();
            assertThat(o1.complete()).isTrue();
            // SHARD / (BATCH / WORKERS) steps an epoch, not SHARD / BATCH
            assertThat(o0.end().iteration()).isEqualTo((long) EPOCHS * SHARD / (BATCH / WORKERS));
            for (AtomicIntegerArray a : reads) {
                for (int i = 0; i < SHARD; i++) assertThat(a.get(i)).as("reads of image %d", i).isEqualTo(EPOCHS);
            }
            for (var p : o0.model().parameters().entrySet()) {
                Tensor a = p.getValue().value(), b = o1.model().parameters().get(p.getKey()).value();
                float[] x = new float[(int) a.size()], y = new float[(int) b.size()];
                System.arraycopy(a.data(), a.offset(), x, 0, x.length);
                System.arraycopy(b.data(), b.offset(), y, 0, y.length);
                assertThat(y).as(p.getKey()).isEqualTo(x);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
