package org.jresnet.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.tensor.Tensor;

/**
 * A differentiable layer: {@code forward} computes the output and keeps what {@code backward}
 * needs; {@code backward(dy)} returns dL/dx and <em>adds</em> dL/dθ into its parameters'
 * gradients (call {@link #zeroGrad()} between steps).
 *
 * <p>Layers form a tree whose child names are torchvision's state_dict path segments, so the
 * full name of a parameter ({@code layer2.0.downsample.0.weight}) is its checkpoint key and
 * loading, saving, counting and optimising all walk {@link #parameters()} / {@link #buffers()}.
 * Parameters (learned) and buffers (running statistics) are kept apart.
 *
 * <p>Output tensors are owned by the layer and reused across steps (no allocation per step);
 * callers must not keep them beyond the next forward.
 */
public abstract class Layer {
    private final Map<String, Layer> children = new LinkedHashMap<>();
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Buffer> buffers = new LinkedHashMap<>();
    private boolean training = true;

    /** y = f(x). Activations are NHWC ({@code [N,H,W,C]}) or {@code [N,F]} after pooling. */
    public abstract Tensor forward(Tensor x);

    /** dx from dy (same shape as the last forward's output); accumulates parameter gradients. */
    public abstract Tensor backward(Tensor dy);

    /**
     * {@link #forward} when no {@link #backward} will follow (evaluation, serving): a layer may
     * then keep less and fuse more, with the same result. This default is the forward itself.
     */
    public Tensor infer(Tensor x) { return forward(x); }

    /** The output shape for an input shape, without computing anything. */
    public abstract int[] outputShape(int[] inputShape);

    /** Multiply-accumulates per forward of one input of {@code inputShape} (this layer only, not children). */
    public long macs(int[] inputShape) { return 0; }

    protected final <L extends Layer> L add(String name, L child) {
        if (children.containsKey(name)) throw new IllegalStateException("duplicate child " + name);
        children.put(name, child);
        return child;
    }

    protected final Parameter param(String name, int... shape) {
        Parameter p = new Parameter(shape);
        params.put(name, p);
        return p;
    }

    protected final Buffer buffer(String name, boolean integer, int... shape) {
        Buffer b = new Buffer(integer, shape);
        buffers.put(name, b);
        return b;
    }

    public final Map<String, Layer> children() { return Collections.unmodifiableMap(children); }

    /** Every parameter under this layer by full dotted name, in definition order. */
    public final Map<String, Parameter> parameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, null);
        return out;
    }

    /** Every buffer under this layer by full dotted name, in definition order. */
    public final Map<String, Buffer> buffers() {
        Map<String, Buffer> out = new LinkedHashMap<>();
        collect("", null, out);
        return out;
    }

    /** Every layer under this one (itself included, as ""), by dotted name. */
    public final Map<String, Layer> modules() {
        Map<String, Layer> out = new LinkedHashMap<>();
        walk("", out);
        return out;
    }

    private void walk(String prefix, Map<String, Layer> out) {
        out.put(prefix, this);
        for (var e : children.entrySet()) e.getValue().walk(prefix + e.getKey() + ".", out);
    }

    private void collect(String prefix, Map<String, Parameter> ps, Map<String, Buffer> bs) {
        if (ps != null) for (var e : params.entrySet()) ps.put(prefix + e.getKey(), e.getValue());
        if (bs != null) for (var e : buffers.entrySet()) bs.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", ps, bs);
    }

    public final long parameterCount() {
        long n = 0;
        for (Parameter p : parameters().values()) n += p.size();
        return n;
    }

    /**
     * Train mode uses batch statistics in BN; eval mode the running ones. Applies to the subtree.
     * Also drops what layers derived from their parameters ({@link #parametersChanged()}).
     */
    public final void setTraining(boolean on) {
        training = on;
        dropDerivedState();
        for (Layer c : children.values()) c.setTraining(on);
    }

    /**
     * Tells the subtree that parameter values were changed in place (loading and training do
     * this themselves): layers drop what they derived from them, e.g. a convolution's weights
     * packed for inference. Needed only after writing into {@code parameter.value()} by hand
     * while in eval mode; switching modes does the same.
     */
    public final void parametersChanged() {
        dropDerivedState();
        for (Layer c : children.values()) c.parametersChanged();
    }

    /**
     * What a backward throws after an inference pass ({@code ResNet.infer}), which keeps nothing
     * for one: the layers' inputs and outputs live in shared slots by then.
     */
    protected static IllegalStateException backwardAfterInference() {
        return new IllegalStateException("backward after an inference forward (ResNet.infer): nothing was kept; "
                + "run forward instead");
    }

    /** {@code out}, an inference pass's slot for this layer's output, checked to have {@code shape}. */
    protected static Tensor requireOutputShape(Tensor out, int... shape) {
        if (!out.hasShape(shape)) throw new IllegalArgumentException("output " + out + " for " + java.util.Arrays.toString(shape));
        return out;
    }

    /** Forget anything computed from parameter values (see {@link #parametersChanged()}). */
    protected void dropDerivedState() {}

    /**
     * Makes this subtree an inference replica of {@code from}, a network of the same architecture:
     * every parameter and buffer becomes from's own tensor, and what layers derive from them (a
     * convolution's packed weights) from's own too, made once for both. Nothing is copied: a
     * replica costs its activations, not another copy of the weights. Only for networks that infer
     * while nobody changes {@code from}'s values (a caller must see to that, as {@code api.Network}
     * does with its lock); after from's parameters are rebound ({@link #flatten}), share again.
     * The replica must not train: its updates would go into from's weights.
     */
    public final void shareWeightsOf(Layer from) {
        if (from.getClass() != getClass() || !from.children.keySet().equals(children.keySet())
                || !from.params.keySet().equals(params.keySet()) || !from.buffers.keySet().equals(buffers.keySet())) {
            throw new IllegalArgumentException(from.getClass().getSimpleName() + " " + from.children.keySet()
                    + " is not the architecture of " + getClass().getSimpleName() + " " + children.keySet());
        }
        for (var e : params.entrySet()) e.getValue().shareValue(from.params.get(e.getKey()));
        for (var e : buffers.entrySet()) e.getValue().shareValue(from.buffers.get(e.getKey()));
        shareDerivedState(from);
        for (var e : children.entrySet()) e.getValue().shareWeightsOf(from.children.get(e.getKey()));
    }

    /** Use {@code from}'s state derived from the (shared) parameters, which is of this layer's class ({@link #shareWeightsOf}). */
    protected void shareDerivedState(Layer from) {}

    public final boolean isTraining() { return training; }

    public final void zeroGrad() {
        for (Parameter p : parameters().values()) p.zeroGrad();
    }

    /**
     * Moves every parameter and gradient into two contiguous arrays (values, grads) in
     * {@link #parameters()} order, so an optimizer or an all-reduce can work on one flat buffer.
     * Returns them as rank-1 tensors.
     */
    public final Tensor[] flatten() {
        List<Parameter> ps = new ArrayList<>(parameters().values());
        long total = 0;
        for (Parameter p : ps) total += p.size();
        float[] v = new float[Math.toIntExact(total)];
        float[] g = new float[v.length];
        int off = 0;
        for (Parameter p : ps) {
            int[] s = p.shape();
            p.bind(new Tensor(v, off, s), new Tensor(g, off, s));
            off += p.size();
        }
        parametersChanged();
        return new Tensor[] {new Tensor(v, 0, v.length), new Tensor(g, 0, g.length)};
    }
}
