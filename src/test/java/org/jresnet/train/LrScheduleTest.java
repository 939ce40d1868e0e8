package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.jresnet.train.LrSchedule.Kind;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("smoke")
class LrScheduleTest {
    private static final double EPS = 1e-12;

    @Test void cosineWithWarmupMatchesTheReferenceRecipe() {
        // torch_cifar_reference.py: 0.1*(it+1)/200 below 200, then 0.05*(1+cos(pi*it/total)).
        long total = 30 * 390;
        LrSchedule s = new LrSchedule(Kind.COSINE, 0.1, total, 390, null, 0.1, 200, 0, 0);
        for (long it : new long[] {0, 1, 57, 199, 200, 201, 5000, total - 1}) {
            double expected = it < 200 ? 0.1 * (it + 1) / 200 : 0.05 * (1 + Math.cos(Math.PI * it / total));
            assertThat(s.at(it, true)).as("it=%d", it).isCloseTo(expected, within(EPS));
        }
        assertThat(s.at(0, true)).isCloseTo(0.0005, within(EPS));
    }

    @Test void paperScheduleDividesByTenAtHalfAndThreeQuarters() {
        LrSchedule s = new LrSchedule(Kind.PAPER, 0.1, LrSchedule.PAPER_ITERATIONS, 391, null, 0.1, 0, 0, 0);
        assertThat(s.at(31_999, true)).isCloseTo(0.1, within(EPS));
        assertThat(s.at(32_000, true)).isCloseTo(0.01, within(EPS));
        assertThat(s.at(47_999, true)).isCloseTo(0.01, within(EPS));
        assertThat(s.at(48_000, true)).isCloseTo(0.001, within(EPS));
        // Scaled to a 100-iteration run: drops at 50 and 75.
        LrSchedule short_ = new LrSchedule(Kind.PAPER, 0.1, 100, 10, null, 0.1, 0, 0, 0);
        assertThat(short_.at(49, true)).isCloseTo(0.1, within(EPS));
        assertThat(short_.at(50, true)).isCloseTo(0.01, within(EPS));
        assertThat(short_.at(75, true)).isCloseTo(0.001, within(EPS));
    }

    @Test void multistepMultipliesByGammaAtMilestoneEpochs() {
        LrSchedule s = new LrSchedule(Kind.MULTISTEP, 0.1, 1000, 10, new int[] {5, 8}, 0.2, 0, 0, 0);
        assertThat(s.at(49, true)).isCloseTo(0.1, within(EPS));
        assertThat(s.at(50, true)).isCloseTo(0.02, within(EPS));
        assertThat(s.at(80, true)).isCloseTo(0.004, within(EPS));
    }

    @Test void errorBasedWarmupHoldsItsRateUntilReleased() {
        LrSchedule s = new LrSchedule(Kind.PAPER, 0.1, 1000, 10, null, 0.1, 0, 0.01, 0.8);
        assertThat(s.at(0, false)).isEqualTo(0.01);
        assertThat(s.at(400, false)).isEqualTo(0.01);
        assertThat(s.at(400, true)).isCloseTo(0.1, within(EPS));
    }

    @Test void oneCycleRisesFromLrOverDivToThePeakThenAnnealsToItsFloor() {
        // 100 iterations, PyTorch's defaults: up over steps 0..29 (pct_start*total - 1), down over 29..99.
        LrSchedule s = new LrSchedule(new TrainConfig.Schedule(Kind.ONECYCLE, 1.0, null, 0.1, 0, 0, 0), 100, 10);
        double min = 1.0 / 25 / 1e4;
        assertThat(s.at(0, true)).isCloseTo(0.04, within(EPS));
        assertThat(s.at(29, true)).isCloseTo(1.0, within(EPS));
        assertThat(s.at(99, true)).isCloseTo(min, within(EPS));
        assertThat(s.at(64, true)).as("half-way down the cosine").isCloseTo(min + (1 - min) / 2, within(EPS));
        // first phase: a half cosine from 0.04 to 1 over 29 steps
        assertThat(s.at(10, true)).isCloseTo(1 + (0.04 - 1) / 2 * (Math.cos(Math.PI * 10 / 29) + 1), within(EPS));
        for (int it = 1; it < 100; it++) {
            if (it <= 29) assertThat(s.at(it, true)).as("rising at %d", it).isGreaterThan(s.at(it - 1, true));
            else assertThat(s.at(it, true)).as("falling at %d", it).isLessThan(s.at(it - 1, true));
        }
        LrSchedule linear = new LrSchedule(new TrainConfig.Schedule(Kind.ONECYCLE, 0.4, null, 0.1, 0, 0, 0,
                new TrainConfig.OneCycle(0.25, 10, 100, true)), 200, 20);
        // up over 0..49 from 0.04, down over 49..199 to 0.0004, both straight lines
        assertThat(linear.at(0, true)).isCloseTo(0.04, within(EPS));
        assertThat(linear.at(49, true)).isCloseTo(0.4, within(EPS));
        assertThat(linear.at(20, true)).isCloseTo(0.04 + (0.4 - 0.04) * 20 / 49, within(EPS));
        assertThat(linear.at(124, true)).isCloseTo(0.4 + (0.0004 - 0.4) * 75 / 150, within(EPS));
        assertThat(linear.at(199, true)).isCloseTo(0.0004, within(EPS));
    }

    @Test void oneCycleSettingsAreChecked() {
        assertThatThrownBy(() -> new TrainConfig.Schedule(Kind.ONECYCLE, 0.1, null, 0.1, 200, 0, 0))
                .isInstanceOf(TrainConfig.Invalid.class).hasMessageContaining("warmup does not apply to onecycle");
        assertThatThrownBy(() -> new TrainConfig.OneCycle(1, 25, 1e4, false)).hasMessageContaining("pctStart");
        assertThatThrownBy(() -> new TrainConfig.OneCycle(0.3, 0.5, 1e4, false)).hasMessageContaining("divFactor");
        assertThatThrownBy(() -> new TrainConfig.Schedule(Kind.COSINE, 0.1, null, 0.1, 0, 0, 0, TrainConfig.OneCycle.PYTORCH))
                .hasMessageContaining("only to the onecycle schedule");
        assertThatThrownBy(() -> TrainConfig.OneCycle.parseLinear("exp")).hasMessageContaining("cos or linear");
        assertThat(new TrainConfig.Schedule(Kind.ONECYCLE, 0.1, null, 0.1, 0, 0, 0).oneCycle())
                .isEqualTo(TrainConfig.OneCycle.PYTORCH);
    }

    /** The settings are checked in TrainConfig.Schedule (the CLI names the flags: TrainErrorsTest). */
    @Test void rejectsNonsense() {
        assertThatThrownBy(() -> new TrainConfig.Schedule(Kind.COSINE, -1, null, 0.1, 0, 0, 0))
                .isInstanceOf(TrainConfig.Invalid.class).hasMessageContaining("lr");
        assertThatThrownBy(() -> new TrainConfig.Schedule(Kind.MULTISTEP, 0.1, new int[] {5, 3}, 0.1, 0, 0, 0))
                .isInstanceOf(TrainConfig.Invalid.class).hasMessageContaining("milestones");
        assertThatThrownBy(() -> new LrSchedule(Kind.COSINE, 0.1, 0, 1, null, 0.1, 0, 0, 0))
                .hasMessageContaining("at least one iteration");
        assertThatThrownBy(() -> Kind.parse("linear")).hasMessageContaining("paper, multistep, cosine");
    }

    /** What a run never reaches is said (PyTorch's schedulers accept it silently); a reachable schedule says nothing. */
    @Test void unreachedPartsAreNamed() {
        LrSchedule late = new LrSchedule(Kind.MULTISTEP, 0.1, 10 * 50, 50, new int[] {5, 10, 15}, 0.1, 0, 0, 0);
        assertThat(late.unreached()).containsExactly(
                "milestone epochs 10, 15 come after the run's last epoch (10): the rate does not drop there");
        assertThat(late.at(9 * 50 + 49, true)).as("epoch 10's last step: one drop").isCloseTo(0.01, within(EPS));
        LrSchedule longWarmup = new LrSchedule(Kind.COSINE, 0.1, 150, 15, null, 0.1, 200, 0, 0);
        assertThat(longWarmup.unreached()).containsExactly(
                "the warm-up of 200 iterations lasts the whole run (150 iterations): the rate never reaches 0.1");
        assertThat(new LrSchedule(Kind.MULTISTEP, 0.1, 10 * 50, 50, new int[] {5, 9}, 0.1, 200, 0, 0).unreached()).isEmpty();
    }
}
