package org.jresnet.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The fuzz harness can fail a case for each thing the property forbids: a hang (the worker JVM is
 * killed and the next case runs in a fresh one), an allocation over the bound, a write outside the
 * output folder, an undocumented exception.
 */
class FuzzHarnessTest {
    private static void assertFails(String loader, long seconds, String why) {
        try (FuzzWorkers w = new FuzzWorkers(loader, seconds)) {
            assertThatThrownBy(() -> w.runFile("case.bin", new byte[] {1})).isInstanceOf(AssertionError.class)
                    .hasMessageContaining(why);
        }
    }

    @Test void aHangIsKilledAndTheNextCaseRuns() {
        try (FuzzWorkers w = new FuzzWorkers("selftest-hang", 2)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> w.runFile("case.bin", new byte[] {1})).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("hang: no answer within 2 s");
            assertThat((System.nanoTime() - t0) / 1e9).isLessThan(30);
        }
        try (FuzzWorkers w = new FuzzWorkers("selftest-ok", 30)) {
            assertThat(w.runFile("case.bin", new byte[] {1})).isEqualTo("OK fine");
        }
    }

    @Test void anAllocationOverTheBoundFails() {
        assertFails("selftest-allocate", 60, "over the bound of " + FuzzLimits.ALLOCATION_BOUND);
    }

    @Test void aWriteOutsideTheOutputFolderFails() {
        assertFails("selftest-escape", 60, "escaped.txt outside");
    }

    @Test void anUndocumentedExceptionFails() {
        assertFails("selftest-npe", 60, "undocumented NullPointerException");
    }
}
