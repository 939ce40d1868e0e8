package org.jresnet.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JitWarmupTest {
    @Test
    void runsAtLeastTheMinimumStepsAndSeconds() {
        AtomicInteger n = new AtomicInteger();
        JitWarmup.Result r = JitWarmup.run(n::incrementAndGet, 5, 0.05, 0, 10);
        assertThat(r.steps()).isEqualTo(n.get()).isGreaterThanOrEqualTo(5);
        assertThat(r.seconds()).isGreaterThanOrEqualTo(0.05);
        assertThat(r.quiet()).as("no wait asked for").isFalse();
    }

    @Test
    void waitsForTheJitToGoQuiet() {
        boolean timed = ManagementFactory.getCompilationMXBean().isCompilationTimeMonitoringSupported();
        // a step the JIT compiles: it is quiet once that is done, well before the cap
        double[] sink = new double[256];
        JitWarmup.Result r = JitWarmup.run(() -> {
            for (int i = 0; i < sink.length; i++) sink[i] = Math.sqrt(sink[i] + i);
        }, 1, 0, 0.2, 30);
        assertThat(r.quiet()).isEqualTo(timed);
        if (timed) {
            assertThat(r.seconds()).isGreaterThanOrEqualTo(0.2).isLessThan(30);
            assertThat(r.compileSeconds()).isPositive();
        }
    }

    @Test
    void theCapEndsAWaitThatCannotEnd() {
        // quiet for 60 s cannot happen within a cap of 0.3 s: the cap ends the warm-up, not quiet
        JitWarmup.Result r = JitWarmup.run(() -> { }, 0, 0.1, 60, 0.3);
        assertThat(r.quiet()).isFalse();
        assertThat(r.seconds()).isGreaterThanOrEqualTo(0.3).isLessThan(5);
    }

    @Test
    void badBoundsAreRejected() {
        assertThatThrownBy(() -> JitWarmup.run(() -> { }, -1, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JitWarmup.run(() -> { }, 0, 2, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JitWarmup.run(() -> { }, 0, 0, Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
