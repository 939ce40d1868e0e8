package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.io.Python;
import org.junit.jupiter.api.Test;

/**
 * bench/compare's rendering of a saved run ({@code --from}, {@code --markdown}, {@code --check}):
 * README's tables are printed from the raw JSON, not typed by hand. The Python unit tests measure
 * nothing and take a second.
 */
class CompareRenderingTest {
    @Test
    void compareUnitTestsPass() {
        Python.Result r = Python.run(120, "../bench/test_compare.py");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("OK");
    }
}
