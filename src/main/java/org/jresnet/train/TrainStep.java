package org.jresnet.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jresnet.models.ResNet;
import org.jresnet.nn.BatchNorm2d;
import org.jresnet.nn.BatchStatsHook;
import org.jresnet.nn.Layer;
import org.jresnet.nn.Parameter;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;

/**
 * One SGD step, the only one in jresnet (the trainer, {@code Network.trainStep} and the PyTorch
 * parity test all run this code):
 * <pre>
 *   zero the gradients
 *   for each of M micro-batches (M = 1 unless accumulating):
 *       logits = model(x_m)             BN: the micro-batch's statistics (or the {@link BatchStatsHook}'s)
 *       loss_m = cross_entropy(logits, y_m)     label-smoothed when the builder says so
 *       backward                        gradients add up over the micro-batches
 *   gradients /= M                      (M > 1) the gradient of the mean loss over the whole batch
 *   --- seam: {@link GradientHook}s in order (all-reduce, finiteness checks, ...) ---
 *   optimizer step with lr
 * </pre>
 * The model's mode (train or eval) is the caller's: a frozen backbone trains in eval mode.
 */
public final class TrainStep {
    /** The batch's mean loss and top-1 correct count, both from the forward before the update. */
    public record Result(float loss, int correct, int batch) {}

    /**
     * Code that runs between backward and the optimizer step, with the step's final gradients. It
     * may change them in place (an all-reduce averaging them over workers) or throw to abort the
     * step before any weight changes (a finiteness check).
     */
    @FunctionalInterface
    public interface GradientHook {
        void afterBackward(Seam seam);
    }

    /**
     * A hook that times parts of the step (a data-parallel run: waiting for the slowest worker,
     * the all-reduce). The trainer adds what {@link #takeStepParts} returns to the epoch's metrics
     * row beside {@code step_s}; timing reads clocks only and changes no number of the run.
     */
    public interface StepParts {
        /** Seconds by {@code metrics.jsonl} key (e.g. {@code "allreduce_s"}) since the last call, which resets them. */
        Map<String, Double> takeStepParts();
    }

    /** Thrown by the finiteness checks; no weight has changed when it is thrown. */
    public static final class NonFiniteException extends RuntimeException {
        public NonFiniteException(String message) { super(message); }
    }

    /** What a {@link GradientHook} sees: the step's loss and gradients, before the update. */
    public final class Seam {
        private float loss;
        private int correct, batch;
        private Tensor logits;
        private long computeNanos;

        private Seam() {}

        /** Mean loss over the whole batch (all micro-batches). */
        public float loss() { return loss; }
        public int correct() { return correct; }
        public int batch() { return batch; }
        /** Steps this TrainStep completed before this one. */
        public long step() { return steps; }
        /**
         * Nanoseconds of this step up to the seam: zeroing the gradients, every micro-batch's
         * forward, loss and backward (a sync-BN exchange inside them included), averaging.
         */
        public long computeNanos() { return computeNanos; }
        /** Logits of the last micro-batch's forward (owned by the model: valid until its next forward). */
        public Tensor logits() { return logits; }
        /**
         * Replaces the step's loss, correct count and batch size by those of the whole
         * distributed batch (a data-parallel hook averages the losses over its workers), so
         * the {@link Result} and later hooks report what one process would on that batch.
         */
        public void setTotals(float loss, int correct, int batch) {
            this.loss = loss;
            this.correct = correct;
            this.batch = batch;
        }

        /** Every parameter by state_dict key, gradients in {@link Parameter#grad()}. */
        public Map<String, Parameter> parameters() { return params; }

        /**
         * All gradients as one contiguous buffer, in {@link #parameters()} order (frozen ones
         * included): what an all-reduce sends. Only with {@link Builder#flatGradients}.
         */
        public Tensor flatGradients() {
            if (flat == null) throw new IllegalStateException("build the TrainStep with flatGradients(true)");
            return flat[1];
        }
    }

    private final ResNet model;
    private final Sgd sgd;
    private final boolean headOnly;
    private final int microBatches;
    private final List<GradientHook> hooks;
    private final Map<String, Parameter> params;
    private final Tensor[] flat;                 // {values, grads} when flattened
    private final SoftmaxCrossEntropy ce;
    private final Seam seam = new Seam();
    private long steps;

    private TrainStep(Builder b) {
        this.model = b.model;
        this.sgd = b.sgd;
        this.headOnly = b.headOnly;
        this.microBatches = b.microBatches;
        this.ce = new SoftmaxCrossEntropy(b.labelSmoothing);
        this.hooks = List.copyOf(b.hooks);
        this.flat = b.flatGradients ? model.flatten() : null;
        this.params = model.parameters();
        if (b.statsHook != null) {
            for (Layer l : model.modules().values()) if (l instanceof BatchNorm2d bn) bn.setBatchStatsHook(b.statsHook);
        }
    }

    /** A step over {@code model} updated by {@code sgd} (built on the same model's parameters). */
    public static Builder builder(ResNet model, Sgd sgd) { return new Builder(model, sgd); }

    public static final class Builder {
        private final ResNet model;
        private final Sgd sgd;
        private boolean headOnly, flatGradients;
        private int microBatches = 1;
        private double labelSmoothing;
        private final List<GradientHook> hooks = new ArrayList<>();
        private BatchStatsHook statsHook;

        private Builder(ResNet model, Sgd sgd) {
            this.model = model;
            this.sgd = sgd;
        }

        /** Forward the backbone, but backpropagate through fc only (a frozen backbone: fine-tuning fc). */
        public Builder headOnly(boolean on) { headOnly = on; return this; }

        /**
         * Splits each batch into {@code m} equal micro-batches run one after another (each with
         * its own BN statistics) whose gradients are averaged into one update: the memory of a
         * batch of B / m at the update of a batch of B.
         */
        public Builder microBatches(int m) {
            if (m < 1) throw new IllegalArgumentException("micro-batches must be >= 1, got " + m);
            microBatches = m;
            return this;
        }

        /** Trains on the label-smoothed loss ({@link SoftmaxCrossEntropy}); 0, the default, is the plain loss. */
        public Builder labelSmoothing(double eps) {
            new SoftmaxCrossEntropy(eps);   // checks the value here, where the caller set it
            labelSmoothing = eps;
            return this;
        }

        /** Moves parameters and gradients into one flat buffer each ({@link Layer#flatten()}) for {@link Seam#flatGradients}. */
        public Builder flatGradients(boolean on) { flatGradients = on; return this; }

        /** Adds a hook at the seam; hooks run in the order added. */
        public Builder hook(GradientHook h) { hooks.add(h); return this; }

        /** Fails the step when its loss is not finite (before the optimizer touches a weight). */
        public Builder requireFiniteLoss() { return hook(TrainStep::checkFiniteLoss); }

        /** Fails the step when a gradient is not finite, naming the parameter. */
        public Builder requireFiniteGradients() { return hook(TrainStep::checkFiniteGradients); }

        /** Sets the batch-statistics hook of every BN of the model (sync-BN). */
        public Builder batchStats(BatchStatsHook h) { statsHook = h; return this; }

        /** The model the step trains (for hooks that reach its buffers, e.g. BN statistics). */
        public ResNet model() { return model; }

        public TrainStep build() { return new TrainStep(this); }
    }

    /**
     * One step on images {@code [N,H,W,C]} (NHWC) with their labels at learning rate {@code lr}.
     * N must be a multiple of the micro-batch count.
     */
    public Result run(Tensor images, int[] labels, float lr) {
        int n = images.dim(0);
        if (n != labels.length) throw new IllegalArgumentException(n + " images but " + labels.length + " labels");
        if (n % microBatches != 0) {
            throw new IllegalArgumentException("a batch of " + n + " does not split into " + microBatches + " micro-batches");
        }
        long start = System.nanoTime();
        model.zeroGrad();
        int per = n / microBatches;
        double lossSum = 0;
        float loss = 0;
        int correct = 0;
        for (int m = 0; m < microBatches; m++) {
            Tensor x = microBatches == 1 ? images : microBatch(images, m * per, per);
            int[] y = microBatches == 1 ? labels : Arrays.copyOfRange(labels, m * per, (m + 1) * per);
            Tensor logits = headOnly ? model.fc.forward(model.features(x)) : model.forward(x);
            loss = ce.forward(logits, y);
            lossSum += loss;
            correct += ce.correct();
            if (headOnly) model.fc.backward(ce.backward());
            else model.backward(ce.backward());
            seam.logits = logits;
        }
        if (microBatches > 1) {
            loss = (float) (lossSum / microBatches);
            scaleGradients(1f / microBatches);
        }
        seam.loss = loss;
        seam.correct = correct;
        seam.batch = n;
        seam.computeNanos = System.nanoTime() - start;
        for (GradientHook h : hooks) h.afterBackward(seam);
        sgd.step(lr);
        steps++;
        seam.logits = null;
        return new Result(seam.loss, seam.correct, seam.batch);
    }

    /** Images {@code [from, from + count)} of the batch: a view, no copy. */
    private static Tensor microBatch(Tensor images, int from, int count) {
        int[] s = images.shape();
        int perImage = images.size() / s[0];
        s[0] = count;
        return new Tensor(images.data(), images.offset() + from * perImage, s);
    }

    private void scaleGradients(float f) {
        if (flat != null) {
            scale(flat[1], f);
            return;
        }
        for (Parameter p : params.values()) scale(p.grad(), f);
    }

    private static void scale(Tensor t, float f) {
        float[] d = t.data();
        for (int i = t.offset(), e = t.offset() + t.size(); i < e; i++) d[i] *= f;
    }

    /**
     * The parts of the step the {@link StepParts} hooks timed since the last call, in seconds by
     * metrics key (summed when two hooks report one key); empty when no hook times anything.
     */
    public Map<String, Double> takeStepParts() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (GradientHook h : hooks) {
            if (h instanceof StepParts p) p.takeStepParts().forEach((k, v) -> out.merge(k, v, Double::sum));
        }
        return out;
    }

    public ResNet model() { return model; }
    public Sgd optimizer() { return sgd; }
    public int microBatches() { return microBatches; }
    public double labelSmoothing() { return ce.labelSmoothing(); }
    /** Steps completed. */
    public long steps() { return steps; }

    private static void checkFiniteLoss(Seam s) {
        if (!Float.isFinite(s.loss())) throw new NonFiniteException("the loss became " + s.loss());
    }

    private static void checkFiniteGradients(Seam s) {
        for (var e : s.parameters().entrySet()) {
            Tensor g = e.getValue().grad();
            float[] d = g.data();
            for (int i = g.offset(), end = g.offset() + g.size(); i < end; i++) {
                if (!Float.isFinite(d[i])) {
                    throw new NonFiniteException(String.format(Locale.ROOT, "the gradient of %s became %s at %d",
                            e.getKey(), d[i], i - g.offset()));
                }
            }
        }
    }
}
