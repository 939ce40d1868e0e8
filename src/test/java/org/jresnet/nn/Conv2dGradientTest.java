package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.engine.TestEngines;
import java.util.Random;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Conv2d's backward against central finite differences of L = sum(y * g), on the SIMD and on the
 * scalar path, for dx, dw and the bias.
 */
@Tag("smoke")
class Conv2dGradientTest {
    /** One thread: the many tiny forwards of the finite differences would mostly wake workers. */
    @BeforeEach
    void oneThread() { TestEngines.use(c -> c.withThreads(1)); }

    @AfterEach
    void restore() {
        TestEngines.reset();
    }

    private static double loss(Conv2d conv, Tensor x, float[] g) {
        Tensor y = conv.forward(x);
        double l = 0;
        for (int i = 0; i < g.length; i++) l += (double) y.get(i) * g[i];
        return l;
    }

    /** Normwise relative error of the analytic gradient against central differences over every element. */
    private static double fdError(Conv2d conv, Tensor x, float[] g, Tensor target, Tensor analytic) {
        float eps = 1e-2f;
        double num = 0, den = 0;
        for (int i = 0; i < target.size(); i++) {
            float v = target.get(i);
            target.set(i, v + eps);
            double lp = loss(conv, x, g);
            target.set(i, v - eps);
            double lm = loss(conv, x, g);
            target.set(i, v);
            double fd = (lp - lm) / (2 * eps);
            double d = fd - analytic.get(i);
            num += d * d;
            den += fd * fd;
        }
        return Math.sqrt(num) / Math.sqrt(den);
    }

    @ParameterizedTest(name = "simd={0} {1}->{2} k{3} s{4} p{5} bias={6}")
    @CsvSource({
        "true, 3, 5, 3, 1, 1, true",
        "true, 4, 17, 3, 2, 1, false",
        "true, 2, 3, 1, 2, 0, true",
        "true, 3, 4, 7, 2, 3, false",
        "false, 3, 5, 3, 1, 1, true",
        "false, 4, 17, 3, 2, 1, false",
        "false, 2, 3, 1, 2, 0, true",
    })
    void matchesFiniteDifferences(boolean simd, int cin, int cout, int k, int stride, int pad, boolean bias) {
        TestEngines.use(c -> c.withSimd(simd));
        Random r = new Random(cin * 31 + cout);
        Conv2d conv = new Conv2d(cin, cout, k, stride, pad, bias);
        fill(conv.weight.value(), r);
        if (bias) fill(conv.bias.value(), r);
        Tensor x = Tensor.zeros(2, 5, 6, cin);
        fill(x, r);
        int[] ys = conv.outputShape(x.shape());
        float[] g = new float[Tensor.numel(ys)];
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();

        conv.forward(x);
        conv.zeroGrad();
        Tensor dx = conv.backward(Tensor.of(g.clone(), ys)).copy();
        Tensor dw = conv.weight.grad().copy();

        assertThat(fdError(conv, x, g, x, dx)).as("dx").isLessThan(1e-2);
        assertThat(fdError(conv, x, g, conv.weight.value(), dw)).as("dw").isLessThan(1e-2);
        if (bias) {
            assertThat(fdError(conv, x, g, conv.bias.value(), conv.bias.grad().copy())).as("db").isLessThan(1e-2);
        }
    }

    private static void fill(Tensor t, Random r) {
        for (int i = 0; i < t.size(); i++) t.set(i, (float) r.nextGaussian());
    }
}
