package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.jresnet.engine.TestEngines;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.jresnet.nn.Parameter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("smoke")
class SgdTest {
    @AfterEach
    void restoreSimd() { TestEngines.reset(); }

    private static Parameter param(long seed, int n) {
        Parameter p = new Parameter(n);
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) p.value().set(i, (float) r.nextGaussian());
        return p;
    }

    private static void randomGrad(Parameter p, Random r) {
        for (int i = 0; i < p.size(); i++) p.grad().set(i, (float) r.nextGaussian());
    }

    /** PyTorch's SGD formula in double, for {@code steps} steps with gradients from {@code seed}. */
    private static double[] reference(float[] p0, long seed, int steps, double lr, double m, double wd, boolean nesterov) {
        double[] p = new double[p0.length], buf = new double[p0.length];
        for (int i = 0; i < p.length; i++) p[i] = p0[i];
        Random r = new Random(seed);
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < p.length; i++) {
                double d = (float) r.nextGaussian() + wd * p[i];
                buf[i] = t == 0 ? d : m * buf[i] + d;
                d = nesterov ? d + m * buf[i] : buf[i];
                p[i] -= lr * d;
            }
        }
        return p;
    }

    private static float[] run(boolean simd, boolean nesterov, int n, int steps) {
        TestEngines.use(c -> c.withSimd(simd));
        Parameter p = param(1, n);
        Sgd sgd = new Sgd(Map.of("w", p), 0.9f, 1e-4f, nesterov);
        Random r = new Random(7);
        for (int t = 0; t < steps; t++) {
            randomGrad(p, r);
            sgd.step(0.1f);
        }
        return p.value().toArray();
    }

    @Test
    void matchesPyTorchFormulaWithMomentumAndWeightDecay() {
        for (boolean nesterov : new boolean[] {false, true}) {
            float[] got = run(true, nesterov, 37, 4);
            double[] want = reference(param(1, 37).value().toArray(), 7, 4, 0.1, 0.9, 1e-4, nesterov);
            for (int i = 0; i < got.length; i++) assertThat((double) got[i]).isCloseTo(want[i], within(1e-5));
        }
    }

    @Test
    void simdAndScalarAreBitIdentical() {
        for (int n : new int[] {1, 15, 16, 17, 100, 1 << 17}) {
            assertThat(run(true, false, n, 3)).containsExactly(run(false, false, n, 3));
            assertThat(run(true, true, n, 3)).containsExactly(run(false, true, n, 3));
        }
    }

    @Test
    void firstStepSetsTheBufferToTheGradientAndFrozenParametersStay() {
        Parameter a = new Parameter(2), frozen = new Parameter(2);
        a.value().set(0, 1f);
        a.grad().fill(0.5f);
        frozen.value().fill(3f);
        frozen.grad().fill(100f);
        frozen.setFrozen(true);
        Map<String, Parameter> ps = new LinkedHashMap<>();
        ps.put("a", a);
        ps.put("f", frozen);
        Sgd sgd = new Sgd(ps, 0.9f, 0f, false);
        sgd.step(0.1f);
        assertThat(a.value().toArray()).containsExactly(1f - 0.05f, -0.05f);
        assertThat(sgd.momentumBuffers().get("a")).containsExactly(0.5f, 0.5f);
        assertThat(frozen.value().toArray()).containsExactly(3f, 3f);
        assertThat(sgd.momentumBuffers()).doesNotContainKey("f");
    }

    @Test
    void withoutMomentumItIsPlainGradientDescent() {
        Parameter a = new Parameter(1);
        a.value().set(0, 2f);
        a.grad().set(0, 1f);
        Sgd sgd = new Sgd(Map.of("a", a), 0f, 0.5f, false);
        sgd.step(0.25f);
        assertThat(a.value().get(0)).isEqualTo(2f - 0.25f * (1f + 0.5f * 2f));
        assertThat(sgd.momentumBuffers()).isEmpty();
    }

    @Test
    void savedMomentumResumesBitForBit() {
        Parameter p1 = param(3, 40), p2 = param(3, 40);
        Sgd a = new Sgd(Map.of("w", p1), 0.9f, 1e-4f, false);
        Random r = new Random(5);
        randomGrad(p1, r);
        a.step(0.1f);
        p2.value().copyFrom(p1.value());
        Sgd b = new Sgd(Map.of("w", p2), 0.9f, 1e-4f, false);
        b.loadMomentumBuffers(a.momentumBuffers(), a.steps());
        randomGrad(p1, r);
        p2.grad().copyFrom(p1.grad());
        a.step(0.05f);
        b.step(0.05f);
        assertThat(p2.value().toArray()).containsExactly(p1.value().toArray());
        assertThat(b.steps()).isEqualTo(2);
    }

    @Test
    void rejectsBadSettingsAndState() {
        Parameter p = new Parameter(3);
        assertThatThrownBy(() -> new Sgd(Map.of("w", p), 0f, 0f, true)).hasMessageContaining("Nesterov");
        Sgd s = new Sgd(Map.of("w", p), 0.9f, 0f, false);
        assertThatThrownBy(() -> s.step(Float.NaN)).hasMessageContaining("learning rate");
        assertThatThrownBy(() -> s.loadMomentumBuffers(Map.of("x", new float[3]), 1)).hasMessageContaining("unknown parameter 'x'");
        assertThatThrownBy(() -> s.loadMomentumBuffers(Map.of("w", new float[2]), 1)).hasMessageContaining("has 2 values");
    }
}
