package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.TensorData;
import org.jresnet.serve.ModelSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
    @TempDir Path tmp;

    @Test void aFinishedRunRecordsItsTestTop1AndServeReadsIt() throws Exception {
        Path data = TinyImageFolder.write(tmp, 6, 3, 8);
        Path run = tmp.resolve("run");
        assertThat(Main.execute("train", "--data", data.toString(), "--out", run.toString(), "--cache-dir",
                tmp.resolve("cache").toString(), "--epochs", "1", "--batch", "4", "--quiet")).isZero();
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        double testErr = new ObjectMapper().readTree(lines.get(lines.size() - 1)).get("test_err").asDouble();
        ModelSpec s = ServeCommand.load("tiny=" + run.resolve("model.safetensors"));
        assertThat(s.name()).isEqualTo("tiny");
        assertThat(s.testTop1()).isCloseTo(1 - testErr, within(1e-12));
        assertThat(ServeCommand.load(run.resolve("model.safetensors").toString()).name()).isEqualTo("model");
    }

    @Test void badArgumentsAreOneLineUsageErrors() throws Exception {
        Path plain = tmp.resolve("plain.safetensors");
        SafeTensors.write(plain, Map.of("fc.weight", TensorData.f32(new float[4], 2, 2)), Map.of());
        CliRun r = CliRun.of("serve", "--weights", plain.toString(), "--port", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no jresnet metadata").doesNotContain("Exception");
        assertThat(CliRun.of("serve", "--weights", tmp.resolve("missing.safetensors").toString()).code()).isEqualTo(1);
        CliRun badQueue = CliRun.of("serve", "--max-batch", "32", "--queue", "8", "--port", "0");
        assertThat(badQueue.code()).isEqualTo(2);
        assertThat(badQueue.err()).contains("--queue");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliRun busy = CliRun.of("serve", "--port", Integer.toString(taken.getLocalPort()), "--warmup", "0");
            assertThat(busy.code()).isEqualTo(1);
            assertThat(busy.err().trim()).startsWith("jresnet: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        // a host that is not this machine's, with any port: one line, before Jetty logs its own failure
        CliRun foreign = CliRun.of("serve", "--host", "10.255.255.1", "--port", "0", "--warmup", "0");
        assertThat(foreign.code()).isEqualTo(1);
        assertThat(foreign.err().trim()).startsWith("jresnet: cannot listen on 10.255.255.1:0: ").doesNotContain("\n")
                .doesNotContain("Javalin");
    }
}
