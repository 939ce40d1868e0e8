package org.jresnet.spark.ml;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.jresnet.data.BadImageException;
import org.jresnet.data.ChannelStatistics;
import org.jresnet.data.DataException;
import org.jresnet.data.Dataset;
import org.jresnet.data.DecodeLimits;
import org.jresnet.data.EpochPlan;
import org.jresnet.data.InMemoryDataset;
import org.jresnet.data.RgbImage;
import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import org.jresnet.io.Normalization;
import org.jresnet.spark.cluster.BarrierJob;
import org.jresnet.spark.comm.Ring;
import org.jresnet.spark.train.ProgressRelay;
import org.jresnet.spark.train.ReplicaSync;
import org.jresnet.spark.train.TrainTask;
import org.jresnet.train.EpochMetrics;
import org.jresnet.train.LrSchedule;
import org.jresnet.train.Replica;
import org.jresnet.train.TrainConfig;
import org.jresnet.train.TrainingRun;
import scala.Tuple2;

/**
 * The barrier task of {@link ResNetClassifier#fit}: worker r holds partition r of the DataFrame
 * (rows keyed by their input partition and position, so its order does not depend on the shuffle),
 * decodes it, agrees with the other workers over the ring on the images per worker (the smallest
 * shard's count, so every worker runs the same steps), the input size and the normalisation, and
 * runs the core's {@code TrainingRun} as an {@link Replica#ownShard own-shard} replica: the
 * gradient all-reduce and the rest of {@link ReplicaSync} as {@code spark train} has them.
 *
 * <p>A data error (an unreadable image, a bad label) is agreed on over the ring and returned, not
 * thrown: the driver then fails with that one line at once, where a thrown error would make Spark
 * relaunch the barrier stage (four attempts) for a fault no attempt can mend.
 */
final class ShardTraining implements BarrierJob.PartitionWorker<Tuple2<Long, Row>> {
    private static final long serialVersionUID = 1L;

    /** Rank 0's images (in eval mode) scored after each epoch: the run's "test" columns. */
    static final int MONITOR_IMAGES = 512;
    /** Steps between the replicas' weight-checksum comparisons (spark train's default). */
    static final int CHECK_EVERY = 100;
    /** Prefix of a worker's result that reports a data error instead of a model. */
    static final String ERROR = "error\t";

    /** The run's settings, fixed on the driver. Rows hold (image, label as double, path or null). */
    record Settings(String architecture, List<String> classes, int epochs, int batch, double lr, double weightDecay,
                    double momentum, int warmup, long seed, int threads, String checkpointDir, boolean skipInvalid,
                    long maxPixels, long maxImageBytes, ImageColumn kind) implements Serializable {}

    private final Settings s;
    private final Broadcast<NetworkWeights> init;
    private final String progressHost;
    private final int progressPort;
    private final boolean bar;

    ShardTraining(Settings s, Broadcast<NetworkWeights> init, String progressHost, int progressPort, boolean bar) {
        this.s = s;
        this.init = init;
        this.progressHost = progressHost;
        this.progressPort = progressPort;
        this.bar = bar;
    }

    /** A shard as read: images kept (encoded bytes or decoded pixels), their labels, names and pixel sums. */
    private record Shard(Object[] images, int[] labels, String[] names, long[] sums, int count, int skipped,
                         int height, int width) {}

    @Override public String run(Ring ring, int attempt, Iterator<Tuple2<Long, Row>> partition) throws Exception {
        TaskContext tc = TaskContext.get();
        int threads = s.threads() > 0 ? s.threads() : tc == null ? 1 : Math.max(1, tc.cpus());
        List<Path> temporary = new ArrayList<>();
        try (Engine engine = Engine.create(EngineConfig.defaults().withThreads(threads)); Engine.Scope scope = engine.bind();
             ProgressRelay.Sender sender = new ProgressRelay.Sender(ring.rank(), progressHost, progressPort, bar)) {
            Shard shard;
            String error = null;
            try {
                shard = read(partition);
            } catch (DataException | IllegalArgumentException e) {
                shard = null;
                error = e.getMessage() != null ? e.getMessage() : e.toString();
            }
            // Every rank takes part in each exchange, so an error on one never leaves the others waiting.
            long[] counts = ring.allGather(shard == null ? -1 : shard.count());
            if (Arrays.stream(counts).anyMatch(c -> c < 0)) return ERROR + (error == null ? "" : error);
            int workers = ring.size(), local = s.batch() / workers;
            long fewest = Arrays.stream(counts).min().orElseThrow(), total = Arrays.stream(counts).sum();
            if (fewest < local) {
                if (ring.rank() > 0) return ERROR;
                return ERROR + String.format(Locale.ROOT, "%d readable images over %d workers leave %d on the"
                        + " smallest, fewer than one worker batch of %d (batchSize %d / %d workers): give more images,"
                        + " or a smaller batchSize", total, workers, fewest, local, s.batch(), workers);
            }
            int m = (int) fewest;
            double[][] all = ring.allGather(agreed(shard, m));
            int height = (int) all[0][7], width = (int) all[0][8];
            long skipped = 0;
            for (double[] a : all) {
                if (a[7] != height || a[8] != width) height = width = -1;
                skipped += (long) a[9];
            }
            Normalization norm;
            if (init != null) {
                // pretrained weights expect the images as they were trained on
                norm = init.value().metadata().normalization();
            } else {
                norm = normalization(all, (long) m * workers);
                if (norm == null) {
                    return ring.rank() > 0 ? ERROR : ERROR + "a colour channel is constant over all " + (long) m * workers
                            + " images (std 0): they cannot be normalised";
                }
            }
            String what = String.format(Locale.ROOT, "worker %d of %d: %d DataFrame images", ring.rank(), workers, m);
            Dataset train = dataset(shard, m, height, width, what);
            Dataset monitor = head(train, Math.min(m, MONITOR_IMAGES));
            shard = null;   // the datasets hold what training needs
            long shardSeed = s.seed() ^ (0x9E3779B97F4A7C15L * (ring.rank() + 1));
            TrainingRun.Data data = new TrainingRun.Data(train, monitor, new EpochPlan(m, 0, shardSeed), norm);

            Path dir;
            if (s.checkpointDir() != null) {
                dir = Path.of(s.checkpointDir());
            } else {
                dir = Files.createTempDirectory("jresnet-fit-");
                temporary.add(dir);
            }
            Path initFile = null;
            if (init != null) {
                initFile = Files.createTempFile("jresnet-init-", ".safetensors");
                temporary.add(initFile);
                Files.write(initFile, init.value().bytes());
            }
            TrainConfig cfg = new TrainConfig(
                    new TrainConfig.Model(s.architecture(), null, initFile, s.classes().size(), false, false),
                    new TrainConfig.Data(Path.of("DataFrame"), 0, norm, false, null),
                    new TrainConfig.Optimizer(s.momentum(), s.weightDecay(), false),
                    new TrainConfig.Schedule(LrSchedule.Kind.COSINE, s.lr(), null, 0.1, s.warmup(), 0, 0),
                    new TrainConfig.Run(dir, s.epochs(), s.batch(), workers, s.seed(), 0, threads));
            Replica replica = Replica.ownShard(ring.rank(), workers, b -> ReplicaSync.wire(b, ring, CHECK_EVERY, false));
            TrainingRun.Outcome o = TrainTask.startOrResume(dir, cfg, c -> data, sender.reporter(), replica);
            if (!o.complete()) throw new IllegalStateException("training stopped at epoch " + o.end().epoch() + ": the JVM is shutting down");
            if (!replica.writes()) return "";
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "%d %d %d %d%n", workers, m, skipped, total - (long) m * workers));
            for (EpochMetrics e : o.log().rows()) {
                out.append(e.trainLoss()).append(' ').append(e.trainErr()).append(' ').append(e.testErr()).append('\n');
            }
            // Through NetworkWeights, as any weights file: the model and its metadata only (no run extras).
            byte[] weights = NetworkWeights.load(o.files().model()).bytes();
            return out.append(Base64.getEncoder().encodeToString(weights)).toString();
        } finally {
            for (Path p : temporary) deleteTree(p);
        }
    }

    /** The partition in its input order, decoded once (to check each image and sum its pixels). */
    private Shard read(Iterator<Tuple2<Long, Row>> partition) {
        List<Tuple2<Long, Row>> rows = new ArrayList<>();
        partition.forEachRemaining(rows::add);
        rows.sort(Comparator.comparingLong(Tuple2::_1));
        DecodeLimits limits = new DecodeLimits(s.maxPixels(), s.maxImageBytes());
        int n = rows.size(), k = s.classes().size();
        Object[] images = new Object[n];
        int[] labels = new int[n];
        String[] names = new String[n];
        long[] sums = new long[Math.multiplyExact(n, 7)];
        int kept = 0, skipped = 0, height = 0, width = 0;
        for (Tuple2<Long, Row> t : rows) {
            Row r = t._2();
            String name = !r.isNullAt(2) ? r.getString(2)
                    : String.format(Locale.ROOT, "row %d of input partition %d", t._1() & 0xFFFFFFFFL, t._1() >>> 32);
            if (r.isNullAt(1)) throw new DataException(name + " has no label (null)");
            double v = r.getDouble(1);
            if (!(v >= 0 && v < k && v == Math.rint(v))) {
                throw new DataException(String.format(Locale.ROOT, "%s has label %s: labels are class indices 0..%d"
                        + " (%s)", name, v, k - 1, k <= 10 ? String.join(", ", s.classes()) : k + " classes"));
            }
            RgbImage img;
            try {
                img = s.kind().decode(r.get(0), name, limits);
            } catch (DataException e) {
                if (s.skipInvalid()) {
                    skipped++;
                    continue;
                }
                String reason = e instanceof BadImageException b ? b.reason() : e.getMessage();
                throw new DataException("cannot read image " + name + ": " + reason
                        + " (handleInvalid=skip leaves such rows out of training)");
            }
            images[kept] = s.kind() == ImageColumn.ENCODED ? r.get(0) : img;
            labels[kept] = (int) v;
            names[kept] = name;
            accumulate(img, sums, kept * 7);
            if (kept == 0) {
                height = img.height();
                width = img.width();
            } else if (height != img.height() || width != img.width()) {
                height = width = -1;
            }
            kept++;
        }
        return new Shard(images, labels, names, sums, kept, skipped, height, width);
    }

    /** Exact integer channel sums and sums of squares (the core's {@link ChannelStatistics}), and the pixel count. */
    private static void accumulate(RgbImage img, long[] sums, int at) {
        byte[] p = img.pixels();
        ChannelStatistics.addPixelSums(p, 0, p.length, sums, at);
        sums[at + 6] = p.length / 3;
    }

    /** What the workers agree on, of this shard's first {@code m} images: sums (0-6), height, width, skipped. */
    private static double[] agreed(Shard shard, int m) {
        double[] a = new double[10];
        for (int i = 0; i < m; i++) for (int j = 0; j < 7; j++) a[j] += shard.sums()[i * 7 + j];
        // the whole shard's size (-1: sizes vary), a safe answer for its first m images too
        a[7] = shard.height() > 0 ? shard.height() : -1;
        a[8] = shard.width() > 0 ? shard.width() : -1;
        a[9] = shard.skipped();
        return a;
    }

    /** Mean and std over every worker's images (summed in rank order, so every rank gets the same bits); null for a constant channel. */
    private static Normalization normalization(double[][] all, long images) {
        double[] t = new double[7];
        for (double[] a : all) for (int j = 0; j < 7; j++) t[j] += a[j];
        try {
            return ChannelStatistics.fromSums(t, t[6], images);
        } catch (DataException constant) {
            return null;
        }
    }

    /** The first {@code m} images: in memory (uint8 NHWC) when all share one size and fit one array, else kept as read. */
    private Dataset dataset(Shard shard, int m, int height, int width, String description) {
        int[] labels = Arrays.copyOf(shard.labels(), m);
        String[] names = Arrays.copyOf(shard.names(), m);
        DecodeLimits limits = new DecodeLimits(s.maxPixels(), s.maxImageBytes());
        if (height > 0 && (long) m * height * width * 3 <= Integer.MAX_VALUE - 8) {
            int per = height * width * 3;
            byte[] pixels = new byte[m * per];
            for (int i = 0; i < m; i++) {
                Object img = shard.images()[i];
                RgbImage rgb = img instanceof byte[] b ? s.kind().decode(b, names[i], limits) : (RgbImage) img;
                System.arraycopy(rgb.pixels(), 0, pixels, i * per, per);
            }
            return new InMemoryDataset(pixels, labels, names, s.classes(), height, width, 0, false, description);
        }
        return new ShardDataset(Arrays.copyOf(shard.images(), m), labels, names, s.classes(), height, width, limits,
                description);
    }

    private static Dataset head(Dataset d, int n) {
        if (d instanceof ShardDataset sd) return sd.head(n);
        InMemoryDataset m = (InMemoryDataset) d;
        String[] names = new String[n];
        for (int i = 0; i < n; i++) names[i] = m.name(i);
        return new InMemoryDataset(Arrays.copyOf(m.pixels(), n * m.imageBytes()), Arrays.copyOf(m.labels(), n), names,
                m.classes(), m.height(), m.width(), 0, false, m.description());
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(f);
        } catch (IOException e) {
            // a temporary folder left behind is the system's to clean
        }
    }
}
