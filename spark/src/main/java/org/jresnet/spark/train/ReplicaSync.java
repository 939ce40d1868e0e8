package org.jresnet.spark.train;

import org.jresnet.models.ResNet;
import org.jresnet.nn.Buffer;
import org.jresnet.spark.comm.CommException;
import org.jresnet.spark.comm.Ring;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.TrainStep;

/**
 * Everything that keeps the replicas one run, at the step's seam: the gradient all-reduce, the
 * batch's loss and error over all workers (so progress and metrics read as on one machine), rank
 * 0's BN running statistics copied to every rank after the step, and every {@code checkEvery}
 * steps (and at the first step, which catches ranks that resumed from different checkpoints) a
 * comparison of the weights' checksums that stops the run on a mismatch.
 */
public final class ReplicaSync implements TrainStep.GradientHook {
    private final Ring ring;
    private final ResNet model;
    private final int checkEvery;
    private final RingGradientHook gradients;

    private ReplicaSync(Ring ring, ResNet model, int checkEvery) {
        this.ring = ring;
        this.model = model;
        this.checkEvery = checkEvery;
        this.gradients = new RingGradientHook(ring);
    }

    /** Adds the hooks to a step over {@code ring}; with {@code syncBn} BN normalises with every worker's batch. */
    public static void wire(TrainStep.Builder b, Ring ring, int checkEvery, boolean syncBn) {
        if (checkEvery < 1) throw new IllegalArgumentException("--check-every must be >= 1, got " + checkEvery);
        b.flatGradients(true).hook(new ReplicaSync(ring, b.model(), checkEvery));
        if (syncBn) b.batchStats(new RingBatchStats(ring));
    }

    @Override public void afterBackward(TrainStep.Seam seam) {
        if (seam.step() % checkEvery == 0) compareWeights(seam.step());
        gradients.afterBackward(seam);
        double[][] all = ring.allGather(new double[] {seam.loss(), seam.correct(), seam.batch()});
        double loss = 0;
        int correct = 0, batch = 0;
        for (double[] a : all) {
            loss += a[0];
            correct += (int) a[1];
            batch += (int) a[2];
        }
        // equal local batches: the mean of the workers' mean losses is the global batch's mean loss
        seam.setTotals((float) (loss / all.length), correct, batch);
        // BN running statistics do not enter the update: copying them before it is the same as after
        for (Buffer buf : model.buffers().values()) {
            Tensor t = buf.value();
            ring.broadcast(t.data(), t.offset(), (int) t.size(), 0);
        }
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
