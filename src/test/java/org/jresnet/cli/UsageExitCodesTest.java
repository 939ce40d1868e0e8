package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests that cannot mean anything are usage errors (exit 2), never a silent success. */
class UsageExitCodesTest {
    @TempDir Path tmp;

    @Test void noCommandIsAUsageError() {
        CliRun r = CliRun.of();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Usage: jresnet");
        assertThat(CliRun.of("--help").code()).isZero();
    }

    @Test void aOneClassDatasetIsRefused() throws Exception {
        Path data = TinyImageFolder.write(tmp.resolve("one.zip"), 4, 2, 8, new String[] {"cat"});
        Path out = tmp.resolve("run");
        CliRun r = CliRun.of("train", "--data", data.toString(), "--out", out.toString(), "--cache-dir",
                tmp.resolve("cache").toString(), "--epochs", "1", "--batch", "2", "--quiet");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("jresnet: ").contains("one.zip").contains("at least two").doesNotContain("\n");
        assertThat(out.resolve("model.safetensors")).doesNotExist();
    }
}
