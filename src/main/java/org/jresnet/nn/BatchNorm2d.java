package org.jresnet.nn;

import java.util.function.Function;
import org.jresnet.engine.Engine;
import org.jresnet.kernel.BatchNormKernels;
import org.jresnet.kernel.Epilogue;
import org.jresnet.tensor.Tensor;

/**
 * Batch normalisation over the channels of NHWC activations, exactly PyTorch's
 * {@code BatchNorm2d(c, eps=1e-5, momentum=0.1)}. Train mode normalises with the batch mean and
 * <em>biased</em> variance and updates {@code running_mean}/{@code running_var} with momentum 0.1
 * using the <em>unbiased</em> variance, counting {@code num_batches_tracked}; eval mode uses the
 * running statistics. Keys: weight, bias, running_mean, running_var, num_batches_tracked (I64).
 *
 * <p>Fusions (one pass over memory instead of two or three): with {@link #setFusedRelu} the layer
 * is BN followed by ReLU, forward and backward (the ReLU mask is recomputed from x, so nothing
 * extra is kept); {@link #forwardAddRelu} is a residual block's {@code relu(bn(x) + shortcut)}.
 */
public final class BatchNorm2d extends Layer {
    public static final float EPS = 1e-5f;
    public static final double MOMENTUM = 0.1;

    public final int channels;
    public final Parameter weight;   // gamma [C]
    public final Parameter bias;     // beta  [C]
    public final Buffer runningMean; // [C]
    public final Buffer runningVar;  // [C]
    public final Buffer numBatchesTracked; // [] integer

    private Tensor x, y, dx;                        // x [N,H,W,C] kept for backward
    private boolean fusedRelu;
    private Place outPlace = Place.OWN;             // OWN or a slot (then recomputed by output())
    private Place dxPlace = Place.OWN;              // any Place.Kind: see backward
    private TransientBuffers slots;                 // the slots the places name
    private boolean maskedBackward;                 // the last forward applied the fused ReLU
    private boolean lastRelu, lastAdded;            // the last forward's ReLU and residual add (for output())
    private final float[] mean, invStd;             // statistics the last forward normalised with
    private final float[] scale, shift;             // y = scale * (x - mean) + shift of the last forward
    private final float[] a, b, mu, d;              // per-channel coefficients of BatchNormKernels.affine
    private final double[] s1, s2;
    private double[] work = new double[0];
    private BatchStatsHook statsHook;               // sync-BN seam; null: this batch's statistics
    private boolean inferenceFusion;                // fuse into the convolution before it in eval mode
    private boolean lastFused;                      // the last forward was fused: nothing kept for backward

    public BatchNorm2d(int channels) {
        this.channels = channels;
        weight = param("weight", channels);
        bias = param("bias", channels);
        runningMean = buffer("running_mean", false, channels);
        runningVar = buffer("running_var", false, channels);
        numBatchesTracked = buffer("num_batches_tracked", true);
        weight.value().fill(1f);
        runningVar.value().fill(1f);
        mean = new float[channels];
        invStd = new float[channels];
        scale = new float[channels];
        shift = new float[channels];
        a = new float[channels];
        b = new float[channels];
        mu = new float[channels];
        d = new float[channels];
        s1 = new double[channels];
        s2 = new double[channels];
    }

    private int rows(int[] in) {
        if (in.length < 2 || in[in.length - 1] != channels) {
            throw new IllegalArgumentException("BatchNorm2d(" + channels + ") expects [..., " + channels + "], got "
                    + java.util.Arrays.toString(in));
        }
        return Tensor.numel(in) / channels;
    }

    @Override public int[] outputShape(int[] in) { rows(in); return in.clone(); }

    /** BN followed by ReLU in one layer (the ReLU no longer a layer of its own). */
    public void setFusedRelu(boolean on) { fusedRelu = on; }

    public boolean fusedRelu() { return fusedRelu; }

    /**
     * Where the forward output goes: {@link Place#OWN}, or a slot for an output consumed at once
     * (BN's backward reads x, not y). A later reader gets it back from {@link #output()},
     * recomputed: training then keeps one activation per BN instead of two. Set by a {@link MemoryPlan}.
     */
    void placeOutput(Place p, TransientBuffers buffers) {
        MemoryPlan.requireOwnOrSlot(p, buffers, "BatchNorm2d's output");
        outPlace = p;
        slots = buffers != null ? buffers : slots;
    }

    /**
     * Where backward writes dx: its own buffer, a slot, {@link Place#OVER_DY} (the caller's dy is
     * dead: saves a gradient-sized array) or {@link Place#OVER_INPUT} (the kept input x, a
     * convolution's output with no other reader, for a dy that must survive: a block's dL/dH,
     * still needed by the shortcut). Set by a {@link MemoryPlan}.
     */
    void placeDx(Place p, TransientBuffers buffers) {
        if (p.kind() == Place.Kind.SLOT && buffers == null) throw new IllegalArgumentException("slot " + p + " without buffers");
        dxPlace = p;
        slots = buffers != null ? buffers : slots;
    }

    /**
     * The last forward's output. If it went to a shared slot ({@link #placeOutput}), it is
     * recomputed there from the kept input with the same coefficients and kernel, so it is
     * bit-identical to what the forward returned; one elementwise pass, against a convolution's
     * backward that then reads it. Valid until the slot's next user.
     */
    public Tensor output() {
        if (outPlace.kind() == Place.Kind.OWN) return y;
        if (lastAdded) throw new IllegalStateException("the output of a BN fused with a residual add cannot be recomputed");
        Tensor out = slots.view(outPlace.slot(), x.shape());
        BatchNormKernels.normalize(x.data(), x.offset(), null, 0, out.data(), out.offset(), rows(x.shape()), channels,
                scale, mean, shift, lastRelu);
        return out;
    }

    /** Lets {@code hook} see and replace the batch statistics in training (null: none). */
    public void setBatchStatsHook(BatchStatsHook hook) { statsHook = hook; }

    /**
     * On: in eval mode this BN is applied by the convolution before it ({@link #forwardAfter}),
     * and nothing is kept for {@link #backward}. For forwards no backward follows (ResNet's
     * {@code infer} turns it on for one pass); off by default, as eval mode alone does not rule out
     * a backward (training with frozen statistics, saliency maps).
     */
    public void setInferenceFusion(boolean on) { inferenceFusion = on; }

    /**
     * Whether {@link #forwardAfter} and {@link #forwardAddReluAfter} fuse: eval mode, fusion
     * allowed here and by the engine ({@code -Djresnet.fuse}).
     */
    public boolean fusesIntoConv() {
        return !isTraining() && inferenceFusion && Engine.current().fusedInference();
    }

    /**
     * bn(conv(x)), relu included with {@link #setFusedRelu}: with {@link #fusesIntoConv} the
     * convolution applies this BN as it stores its output (the result bit for bit the same,
     * one pass over memory instead of two); otherwise the two layers in turn. Fused, the output
     * goes where this BN's output goes ({@link #placeOutput}: a slot, which the pass reads once;
     * else the convolution's own buffer).
     */
    public Tensor forwardAfter(Conv2d conv, Tensor x) {
        if (!fusesIntoConv()) return forward(conv.forward(x));
        Tensor out = outPlace.kind() == Place.Kind.SLOT ? slots.view(outPlace.slot(), conv.outputShape(x.shape())) : null;
        return conv.forward(x, inferenceEpilogue(null, fusedRelu), out);
    }

    /**
     * {@link #forwardAfter}, the fused output written to {@code out} (of the output's shape, not
     * holding x; null: the convolution's own buffer): for outputs whose place depends on where the
     * input is (an inference pass's stem and projection shortcuts, see
     * {@link TransientBuffers#viewApartFrom}). Unfused, {@code out} is not used.
     */
    public Tensor forwardAfter(Conv2d conv, Tensor x, Tensor out) {
        if (!fusesIntoConv()) return forward(conv.forward(x));
        return conv.forward(x, inferenceEpilogue(null, fusedRelu), out);
    }

    /**
     * relu(bn(conv(x)) + res) (res null: relu(bn(conv(x)))), fused as {@link #forwardAfter}. Fused,
     * res is consumed: the result may be written over it ({@link Conv2d#forwardOverResidual}), so a
     * caller must not read res afterwards (a residual block's shortcut, dead after the add).
     */
    public Tensor forwardAddReluAfter(Conv2d conv, Tensor x, Tensor res) {
        return forwardAddReluAfter(conv, x, res, null);
    }

    /**
     * As {@link #forwardAddReluAfter(Conv2d, Tensor, Tensor)}; where the fused output cannot go over
     * res (or res is null) it goes to {@code elsewhere}'s tensor for the output shape, which must
     * hold neither x nor res (null: the convolution's own buffer).
     */
    Tensor forwardAddReluAfter(Conv2d conv, Tensor x, Tensor res, Function<int[], Tensor> elsewhere) {
        if (!fusesIntoConv()) return forwardAddRelu(conv.forward(x), res);
        int[] out = conv.outputShape(x.shape());
        if (res != null && !res.hasShape(out)) {
            throw new IllegalArgumentException("residual " + res + " does not match " + java.util.Arrays.toString(out));
        }
        if (res == null) return conv.forward(x, inferenceEpilogue(null, true), elsewhere == null ? null : elsewhere.apply(out));
        return conv.forwardOverResidual(x, inferenceEpilogue(res, true), res, elsewhere);
    }

    /** The eval-mode coefficients as a convolution's {@link Epilogue}; nothing is kept for backward. */
    private Epilogue inferenceEpilogue(Tensor res, boolean relu) {
        evalCoefficients();
        lastFused = true;
        x = null;
        return new Epilogue(scale, mean, shift, res == null ? null : res.data(), res == null ? 0 : res.offset(), relu);
    }

    /** mean, invStd, scale and shift of eval mode: the running statistics. */
    private void evalCoefficients() {
        Tensor g = weight.value(), be = bias.value();
        for (int ch = 0; ch < channels; ch++) {
            mean[ch] = runningMean.value().get(ch);
            invStd[ch] = (float) (1.0 / Math.sqrt(runningVar.value().get(ch) + (double) EPS));
            scale[ch] = g.get(ch) * invStd[ch];
            shift[ch] = be.get(ch);
        }
    }

    /** y = bn(x), or relu(bn(x)) with {@link #setFusedRelu}. */
    @Override public Tensor forward(Tensor x) {
        return normalize(x, null, fusedRelu, fusedRelu);
    }

    /**
     * A residual block's tail, y = relu(bn(x) + res) (res null: a plain block's relu(bn(x))), in one
     * pass. The following {@link #backward} takes dL/d(bn(x)): the block applies the ReLU mask
     * itself, as the shortcut needs the masked gradient too.
     */
    public Tensor forwardAddRelu(Tensor x, Tensor res) {
        if (res != null && !res.hasShape(x.shape())) {
            throw new IllegalArgumentException("residual " + res + " does not match " + x);
        }
        return normalize(x, res, true, false);
    }

    private Tensor normalize(Tensor x, Tensor res, boolean relu, boolean masked) {
        int rows = rows(x.shape()), c = channels;
        this.x = x;
        lastFused = false;
        Tensor y = outPlace.kind() == Place.Kind.SLOT ? slots.view(outPlace.slot(), x.shape())
                : (this.y = Tensor.reuse(this.y, x.shape()));
        if (isTraining()) {
            if (rows < 2) throw new IllegalArgumentException("BatchNorm2d needs more than 1 value per channel in training");
            ensureWork();
            // s1 = mean, s2 = sum of squared deviations, in one pass (no E[x^2] - E[x]^2 cancellation)
            BatchNormKernels.meanAndM2(x.data(), x.offset(), rows, c, s1, s2, work);
            long count = statsHook == null ? rows : statsHook.forward(this, s1, s2, rows);
            Tensor rm = runningMean.value(), rv = runningVar.value();
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = (float) s1[ch];
                double var = s2[ch] / count;                      // biased: normalises this batch
                invStd[ch] = (float) (1.0 / Math.sqrt(var + EPS));
                double unbiased = s2[ch] / (count - 1);           // unbiased: feeds the running estimate
                rm.set(ch, (float) ((1 - MOMENTUM) * rm.get(ch) + MOMENTUM * s1[ch]));
                rv.set(ch, (float) ((1 - MOMENTUM) * rv.get(ch) + MOMENTUM * unbiased));
            }
            Tensor nbt = numBatchesTracked.value();
            nbt.set(0, nbt.get(0) + 1);
        } else {
            evalCoefficients();
        }
        // y = gamma * (x - mean) * invStd + beta
        Tensor g = weight.value(), be = bias.value();
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = g.get(ch) * invStd[ch];
            shift[ch] = be.get(ch);
        }
        maskedBackward = masked;
        lastRelu = relu;
        lastAdded = res != null;
        BatchNormKernels.normalize(x.data(), x.offset(), res == null ? null : res.data(), res == null ? 0 : res.offset(),
                y.data(), y.offset(), rows, c, scale, mean, shift, relu);
        return y;
    }

    @Override public Tensor backward(Tensor dy) {
        if (lastFused) {
            throw backwardAfterInference();
        }
        int rows = rows(x.shape()), c = channels;
        if (!dy.hasShape(x.shape())) throw new IllegalArgumentException("dy " + dy + " does not match the input " + x);
        Tensor dx = switch (dxPlace.kind()) {
            case OVER_DY -> dy;
            case OVER_INPUT -> x;
            case SLOT -> slots.view(dxPlace.slot(), x.shape());
            case OWN -> this.dx = Tensor.reuse(this.dx, x.shape());
        };
        ensureWork();
        // s1 = sum dy, s2 = sum dy * (x - mean); with the fused ReLU, dy only where the output was > 0
        float[] ms = maskedBackward ? scale : null;
        BatchNormKernels.channelSums(x.data(), x.offset(), dy.data(), dy.offset(), rows, c, mean, ms, shift, s1, s2, work);
        Tensor g = weight.value(), gg = weight.grad(), gb = bias.grad();
        boolean train = isTraining();
        for (int ch = 0; ch < c; ch++) {
            double is = invStd[ch];
            gg.set(ch, gg.get(ch) + (float) (s2[ch] * is));   // dgamma = sum dy * xhat
            gb.set(ch, gb.get(ch) + (float) s1[ch]);           // dbeta  = sum dy
        }
        long n = rows;
        if (train && statsHook != null) n = statsHook.backward(this, s1, s2, rows);
        for (int ch = 0; ch < c; ch++) {
            double is = invStd[ch], gamma = g.get(ch);
            // dx = gamma*is * (dy - mean(dy) - xhat * mean(dy * xhat)); in eval the stats are constants.
            a[ch] = (float) (gamma * is);
            b[ch] = train ? (float) (-gamma * is * is * is * s2[ch] / n) : 0f;
            mu[ch] = mean[ch];
            d[ch] = train ? (float) (-gamma * is * s1[ch] / n) : 0f;
        }
        if (maskedBackward) {
            BatchNormKernels.affineMasked(dy.data(), dy.offset(), x.data(), x.offset(), dx.data(), dx.offset(), rows, c,
                    a, b, mu, d, scale, shift);
        } else {
            BatchNormKernels.affine(dy.data(), dy.offset(), x.data(), x.offset(), dx.data(), dx.offset(), rows, c, a, b, mu, d);
        }
        return dx;
    }

    private void ensureWork() {
        int need = BatchNormKernels.workSize(channels);
        if (work.length < need) work = new double[need];
    }
}
