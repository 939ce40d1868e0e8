package org.jresnet.train;

import java.util.function.Consumer;

/**
 * This process's part in a synchronous data-parallel run (one process: {@link #SINGLE}). Global
 * batch k of an epoch is exactly the single-machine run's batch k; rank r trains on positions
 * [r·b, (r+1)·b) of it (b = batch / workers) and decodes only those images. {@code wiring} adds
 * what makes the replicas one run (the gradient all-reduce and the BN hooks) to the step, before
 * the finiteness check, so every rank sees the same averaged loss. Only rank 0 evaluates and
 * writes the run folder (checkpoints, metrics, curves, weights).
 *
 * <p>The run's {@code microBatches} counts micro-batches over all workers: N workers with
 * {@code microBatches} M (a multiple of N) each run M / N micro-batches of their b images, so
 * the run equals one process with {@code --micro-batches M} and its checkpoint resumes there.
 *
 * <p>An {@link #ownShard} replica instead trains on a dataset holding only its own images (a
 * Spark DataFrame's partition, say), every rank the same number: each step takes b images of its
 * plan's epoch order. There is then no single-machine run it equals (no global order exists).
 */
public record Replica(int rank, int workers, Consumer<TrainStep.Builder> wiring, boolean ownShard) {
    public static final Replica SINGLE = new Replica(0, 1, b -> { });

    /** A replica taking its slice of each global batch of the one dataset every rank sees. */
    public Replica(int rank, int workers, Consumer<TrainStep.Builder> wiring) {
        this(rank, workers, wiring, false);
    }

    /**
     * A replica whose dataset is its own shard: the plan is the shard's, and every rank's plan must
     * hold the same number of training images, else the ranks would run different numbers of steps.
     */
    public static Replica ownShard(int rank, int workers, Consumer<TrainStep.Builder> wiring) {
        return new Replica(rank, workers, wiring, true);
    }

    public Replica {
        if (workers < 1 || rank < 0 || rank >= workers) {
            throw new IllegalArgumentException("rank " + rank + " of " + workers + " workers");
        }
    }

    /** Rank 0 evaluates and writes the run folder. */
    public boolean writes() { return rank == 0; }

    /** Micro-batches this replica runs per step, from the run's total. */
    public int localMicroBatches(int runMicroBatches) {
        if (runMicroBatches % workers != 0) {
            throw new IllegalArgumentException("--micro-batches " + runMicroBatches + " is not a multiple of the "
                    + workers + " workers");
        }
        return runMicroBatches / workers;
    }

    /** Images one step takes from this replica's dataset: the global batch, or b = batch / workers of its own shard. */
    public int stepImages(int batch) {
        if (!ownShard) return batch;
        if (batch % workers != 0) {
            throw new IllegalArgumentException("--batch " + batch + " does not split into " + workers + " equal worker batches");
        }
        return batch / workers;
    }

    /** This rank's images of an epoch's order: its slice of every full global batch, in batch order. */
    public int[] localOrder(int[] order, int batch) {
        if (batch % workers != 0) {
            throw new IllegalArgumentException("--batch " + batch + " does not split into " + workers + " equal worker batches");
        }
        int b = batch / workers, batches = order.length / batch;
        int[] mine = new int[batches * b];
        for (int k = 0; k < batches; k++) System.arraycopy(order, k * batch + rank * b, mine, k * b, b);
        return mine;
    }
}
