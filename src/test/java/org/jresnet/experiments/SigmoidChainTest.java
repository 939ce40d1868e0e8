package org.jresnet.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The toy chain: complex-step gradients equal the closed-form products; the plain chain obeys (w/4)^n. */
@Tag("smoke")
class SigmoidChainTest {

    @Test void numericalGradientsMatchTheClosedForm() {
        for (double w : new double[] {1.0, 0.5, -0.8, 3.0}) {
            SigmoidChain.Result r = SigmoidChain.run(30, w, 0.1, 1.0);
            assertThat(r.maxRelativeError()).as("w = %s", w).isLessThan(1e-12);
        }
    }

    @Test void oneLayerIsTheSigmoidSlopeTimesW() {
        double w = 0.7, b = -0.2, x0 = 0.4;
        double s = 1 / (1 + Math.exp(-(w * x0 + b)));
        SigmoidChain.Result r = SigmoidChain.run(1, w, b, x0);
        assertThat(r.plainNumeric()[0]).isCloseTo(s * (1 - s) * w, within(1e-15));
        assertThat(r.residualNumeric()[0]).isCloseTo(1 + s * (1 - s) * w, within(1e-15));
    }

    @Test void plainGradientShrinksAtLeastFourfoldPerLayerResidualDoesNot() {
        SigmoidChain.Result r = SigmoidChain.run(20, 1.0, 0, 1.0);
        for (int l = 0; l < 20; l++) {
            assertThat(Math.abs(r.plainNumeric()[l])).isLessThanOrEqualTo(r.plainBound()[l]);
            assertThat(r.residualNumeric()[l]).isGreaterThanOrEqualTo(1.0);
            if (l > 0) assertThat(Math.abs(r.plainNumeric()[l - 1])).isLessThanOrEqualTo(0.25 * Math.abs(r.plainNumeric()[l]));
        }
        assertThat(Math.abs(r.plainNumeric()[0])).isLessThan(1e-12);
    }
}
