package org.jresnet.spark.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Buffer;
import org.jresnet.spark.comm.CommException;
import org.jresnet.spark.comm.Ring;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.TrainStep;

/**
 * Everything that keeps the replicas one run, at the step's seam: the batch's loss and error over
 * all workers (so progress and metrics read as on one machine), every {@code checkEvery} steps
 * (and at the first step, which catches ranks that resumed from different checkpoints) a
 * comparison of the weights' checksums that stops the run on a mismatch, the gradient all-reduce,
 * and rank 0's BN running statistics copied to every rank after the step.
 *
 * <p>It also times the step's parts ({@link TrainStep.StepParts}; the trainer writes rank 0's
 * sums to each epoch's row of {@code metrics.jsonl}):
 * <ul>
 *   <li>{@code compute_s}: forward and backward up to the seam ({@link TrainStep.Seam#computeNanos}),
 *       without sync-BN's exchanges;</li>
 *   <li>{@code wait_s}: the all-gather of the losses, which runs first and is a barrier (a rank
 *       holds every rank's loss only once the last one has finished backward): the time this
 *       rank waited for the slowest one, plus N−1 small messages;</li>
 *   <li>{@code allreduce_s}: the gradient all-reduce, which starts with every rank at the barrier,
 *       so it is transfer and summation, not waiting;</li>
 *   <li>{@code sync_s}: rank 0's BN statistics sent to the others, and the checksum comparisons;</li>
 *   <li>{@code bn_stats_s} (only with {@code --sync-bn}): the batch statistics' exchanges inside
 *       forward and backward (the first one of a step also absorbs the wait for the slowest rank).</li>
 * </ul>
 * The rest of {@code step_s} is the optimizer's update and the finiteness checks. Timing reads
 * clocks only: the bytes exchanged and the arithmetic are the same with or without it.
 */
public final class ReplicaSync implements TrainStep.GradientHook, TrainStep.StepParts {
    private final Ring ring;
    private final ResNet model;
    private final int checkEvery;
    private final RingGradientHook gradients;
    private final RingBatchStats stats;
    /** BN running statistics (and counters), packed into one message: one latency a step, not three per BN. */
    private final Tensor[] buffers;
    private final float[] bufferPack;
    private final double[] totals = new double[3];
    private long computeNanos, waitNanos, allReduceNanos, syncNanos, statsNanos;

    private ReplicaSync(Ring ring, ResNet model, int checkEvery, RingBatchStats stats) {
        this.ring = ring;
        this.model = model;
        this.checkEvery = checkEvery;
        this.gradients = new RingGradientHook(ring);
        this.stats = stats;
        this.buffers = model.buffers().values().stream().map(Buffer::value).toArray(Tensor[]::new);
        long n = 0;
        for (Tensor t : buffers) n += t.size();
        this.bufferPack = new float[Math.toIntExact(n)];
    }

    /** Adds the hooks to a step over {@code ring}; with {@code syncBn} BN normalises with every worker's batch. */
    public static void wire(TrainStep.Builder b, Ring ring, int checkEvery, boolean syncBn) {
        if (checkEvery < 1) throw new IllegalArgumentException("--check-every must be >= 1, got " + checkEvery);
        RingBatchStats stats = syncBn ? new RingBatchStats(ring) : null;
        b.flatGradients(true).hook(new ReplicaSync(ring, b.model(), checkEvery, stats));
        if (stats != null) b.batchStats(stats);
    }

    @Override public void afterBackward(TrainStep.Seam seam) {
        long t0 = System.nanoTime();
        long exchanged = stats == null ? 0 : stats.takeNanos();
        statsNanos += exchanged;
        computeNanos += seam.computeNanos() - exchanged;
        totals[0] = seam.loss();
        totals[1] = seam.correct();
        totals[2] = seam.batch();
        double[][] all = ring.allGather(totals);
        long t1 = System.nanoTime();
        waitNanos += t1 - t0;
        double loss = 0;
        int correct = 0, batch = 0;
        for (double[] a : all) {
            loss += a[0];
            correct += (int) a[1];
            batch += (int) a[2];
        }
        // equal local batches: the mean of the workers' mean losses is the global batch's mean loss
        seam.setTotals((float) (loss / all.length), correct, batch);
        if (seam.step() % checkEvery == 0) compareWeights(seam.step());
        long t2 = System.nanoTime();
        gradients.afterBackward(seam);
        long t3 = System.nanoTime();
        allReduceNanos += t3 - t2;
        // BN running statistics do not enter the update: copying them before it is the same as after
        broadcastBuffers();
        syncNanos += System.nanoTime() - t3 + (t2 - t1);
    }

    /** Rank 0's BN buffers to every rank, in one message. */
    private void broadcastBuffers() {
        if (bufferPack.length == 0 || ring.size() == 1) return;
        boolean root = ring.rank() == 0;
        int off = 0;
        if (root) {
            for (Tensor t : buffers) {
                System.arraycopy(t.data(), t.offset(), bufferPack, off, (int) t.size());
                off += (int) t.size();
            }
        }
        ring.broadcast(bufferPack, 0, bufferPack.length, 0);
        if (root) return;
        for (Tensor t : buffers) {
            System.arraycopy(bufferPack, off, t.data(), t.offset(), (int) t.size());
            off += (int) t.size();
        }
    }

    @Override public Map<String, Double> takeStepParts() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("compute_s", computeNanos / 1e9);
        m.put("wait_s", waitNanos / 1e9);
        m.put("allreduce_s", allReduceNanos / 1e9);
        m.put("sync_s", syncNanos / 1e9);
        if (stats != null) m.put("bn_stats_s", statsNanos / 1e9);
        computeNanos = waitNanos = allReduceNanos = syncNanos = statsNanos = 0;
        return m;
    }

    private void compareWeights(long step) {
        long sum = 0;
        for (var p : model.parameters().values()) {
            Tensor t = p.value();
            float[] d = t.data();
            for (int i = t.offset(), e = t.offset() + (int) t.size(); i < e; i++) {
                sum = sum * 31 + Float.floatToRawIntBits(d[i]);
            }
        }
        long[] all = ring.allGather(sum);
        for (int r = 1; r < all.length; r++) {
            if (all[r] != all[0]) {
                throw new CommException(String.format("rank %d: the workers' weights differ before step %d of this"
                        + " attempt (checksum of rank %d %016x, rank 0 %016x): the replicas are no longer one run",
                        ring.rank(), step, r, all[r], all[0]));
            }
        }
    }
}
