package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A hung helper script fails its test at the time limit instead of stalling the build. */
class PythonTimeoutTest {
    @Test
    void aScriptThatHangsWithItsOutputOpenFailsAtTheTimeLimit() {
        long t0 = System.nanoTime();
        // prints, then sleeps with stdout open: a reader that waits for the end of output would block 60 s
        assertThatThrownBy(() -> Python.run(2, "-c", "import sys, time; print('started'); sys.stdout.flush(); time.sleep(60)"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("timed out after 2 s");
        assertThat((System.nanoTime() - t0) / 1e9).as("seconds until the failure").isLessThan(30);
    }
}
