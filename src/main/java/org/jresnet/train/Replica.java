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
 */
public record Replica(int rank, int workers, Consumer<TrainStep.Builder> wiring) {
    public static final Replica SINGLE = new Replica(0, 1, b -> { });

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
