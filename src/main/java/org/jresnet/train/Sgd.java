package org.jresnet.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.kernel.Simd;
import org.jresnet.nn.Parameter;
import org.jresnet.engine.Engine;
import org.jresnet.tensor.Tensor;

/**
 * Stochastic gradient descent exactly as {@code torch.optim.SGD} (dampening 0), per parameter p:
 * <pre>
 *   d = grad + weightDecay * p
 *   buf = momentum * buf + d          (buf = d at the parameter's first step)
 *   d = nesterov ? d + momentum * buf : buf
 *   p = p - lr * d
 * </pre>
 * Frozen parameters are skipped (no decay, no update, no momentum). The momentum buffers are kept by
 * parameter name so a checkpoint can store them as {@code optim.momentum.<name>} and a resumed run
 * continues bit for bit. The learning rate is given to each {@link #step(float)}: schedules own it.
 */
public final class Sgd {
    /** Checkpoint key prefix of a momentum buffer. */
    public static final String MOMENTUM_PREFIX = "optim.momentum.";
    private static final VectorSpecies<Float> F = Simd.F;
    /** Below this many elements a parameter is updated on the calling thread (fork cost > work). */
    private static final int PARALLEL_MIN = 1 << 16;

    private final Map<String, Parameter> params;
    private final float momentum, weightDecay;
    private final boolean nesterov;
    private final Map<String, float[]> buffers = new LinkedHashMap<>();
    private long steps;

    public Sgd(Map<String, Parameter> params, float momentum, float weightDecay, boolean nesterov) {
        if (momentum < 0 || weightDecay < 0) {
            throw new IllegalArgumentException("momentum and weight decay must be >= 0, got " + momentum + ", " + weightDecay);
        }
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Nesterov momentum requires momentum > 0");
        this.params = new LinkedHashMap<>(params);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    public float momentum() { return momentum; }
    public float weightDecay() { return weightDecay; }
    public boolean nesterov() { return nesterov; }
    public long steps() { return steps; }

    /** One update of every non-frozen parameter from its current gradient. */
    public void step(float lr) {
        if (!(lr >= 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Parameter p = e.getValue();
            if (p.frozen()) continue;
            Tensor v = p.value(), g = p.grad();
            float[] buf = null;
            boolean first = false;
            if (momentum != 0) {
                buf = buffers.get(e.getKey());
                if (buf == null) {
                    buf = new float[v.size()];
                    buffers.put(e.getKey(), buf);
                    first = true;
                }
            }
            update(v.data(), v.offset(), g.data(), g.offset(), buf, v.size(), lr, first);
        }
        steps++;
    }

    private void update(float[] p, int po, float[] g, int go, float[] buf, int n, float lr, boolean first) {
        final float[] b = buf;
        final boolean fresh = first;
        if (n < PARALLEL_MIN) {
            kernel(p, po, g, go, b, 0, n, lr, fresh);
        } else {
            Engine.current().parallel().forRange(n, F.length(), (chunk, s, e) -> kernel(p, po, g, go, b, s, e, lr, fresh));
        }
    }

    private void kernel(float[] p, int po, float[] g, int go, float[] buf, int s, int e, float lr, boolean first) {
        if (Simd.enabled()) {
            stepSimd(p, po, g, go, buf, s, e, lr, momentum, weightDecay, nesterov, first);
        } else {
            stepScalar(p, po, g, go, buf, s, e, lr, momentum, weightDecay, nesterov, first);
        }
    }

    /**
     * Elements {@code [s, e)}: p at {@code po}, grad at {@code go}, momentum buffer at 0 ({@code buf}
     * null when momentum is 0). Multiplies and adds are separate (no FMA) so that the SIMD twin
     * gives bit-identical results.
     */
    static void stepScalar(float[] p, int po, float[] g, int go, float[] buf, int s, int e,
                           float lr, float momentum, float wd, boolean nesterov, boolean first) {
        for (int i = s; i < e; i++) {
            float d = g[go + i] + wd * p[po + i];
            if (buf != null) {
                float b = first ? d : momentum * buf[i] + d;
                buf[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[po + i] = p[po + i] - lr * d;
        }
    }

    static void stepSimd(float[] p, int po, float[] g, int go, float[] buf, int s, int e,
                         float lr, float momentum, float wd, boolean nesterov, boolean first) {
        int i = s;
        int bound = s + F.loopBound(e - s);
        for (; i < bound; i += F.length()) {
            FloatVector pv = FloatVector.fromArray(F, p, po + i);
            FloatVector d = FloatVector.fromArray(F, g, go + i).add(pv.mul(wd));
            if (buf != null) {
                FloatVector b = first ? d : FloatVector.fromArray(F, buf, i).mul(momentum).add(d);
                b.intoArray(buf, i);
                d = nesterov ? d.add(b.mul(momentum)) : b;
            }
            pv.sub(d.mul(lr)).intoArray(p, po + i);
        }
        stepScalar(p, po, g, go, buf, i, e, lr, momentum, wd, nesterov, first);
    }

    /** Momentum buffers by parameter name (live arrays; only parameters that have stepped). */
    public Map<String, float[]> momentumBuffers() { return Collections.unmodifiableMap(buffers); }

    /**
     * Restores momentum buffers saved from {@link #momentumBuffers()} (after a checkpoint load);
     * each must name a parameter and have its size.
     */
    public void loadMomentumBuffers(Map<String, float[]> saved, long stepCount) {
        for (Map.Entry<String, float[]> e : saved.entrySet()) {
            Parameter p = params.get(e.getKey());
            if (p == null) throw new IllegalArgumentException("momentum buffer for unknown parameter '" + e.getKey() + "'");
            if (e.getValue().length != p.size()) {
                throw new IllegalArgumentException("momentum buffer '" + e.getKey() + "' has " + e.getValue().length
                        + " values, parameter has " + p.size());
            }
        }
        buffers.clear();
        for (Map.Entry<String, float[]> e : saved.entrySet()) buffers.put(e.getKey(), e.getValue().clone());
        steps = stepCount;
    }
}
