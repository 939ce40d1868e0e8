package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The bench command's output contract (fields bench/compare reads); no timing is asserted. */
@Tag("smoke")
class BenchCommandTest {
    private static CliRun run(String... args) { return CliRun.of(args); }

    @Test
    void trainJsonHasEveryFieldCompareReads() throws Exception {
        CliRun r = run("bench", "--model", "resnet20", "--mode", "train", "--batch", "2", "--iters", "2",
                "--warmup", "1", "--warmup-seconds", "0.3", "--jit-quiet", "0.2", "--threads", "2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.get("model").asText()).isEqualTo("resnet20");
        assertThat(j.get("mode").asText()).isEqualTo("train");
        assertThat(j.get("batch").asInt()).isEqualTo(2);
        assertThat(j.get("threads").asInt()).isEqualTo(2);
        assertThat(j.get("jdk").asText()).isNotBlank();
        assertThat(j.get("simd").isBoolean()).isTrue();
        assertThat(j.get("macs_per_image").asLong()).isEqualTo(40_551_040L);
        double ms = j.get("ms_per_batch").asDouble();
        assertThat(ms).isPositive();
        assertThat(j.get("images_per_second").asDouble()).isCloseTo(2 / (ms / 1e3), org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(j.get("ms_p10").asDouble()).isPositive().isLessThanOrEqualTo(j.get("ms_p90").asDouble());
        // training = 3 forwards of 2 * MACs flops
        assertThat(j.get("gflops").asDouble())
                .isCloseTo(3 * 2.0 * 40_551_040L * 2 / (ms / 1e3) / 1e9, org.assertj.core.data.Percentage.withPercentage(1e-6));
        double peak = j.get("peak_gflops").asDouble();
        assertThat(peak).isPositive();
        assertThat(j.get("share_of_peak").asDouble()).isCloseTo(j.get("gflops").asDouble() / peak,
                org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(j.get("peak_rss_mb").asDouble()).isPositive();
        // warm-up runs at least --warmup steps and at least --warmup-seconds
        assertThat(j.get("warmup").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(j.get("warmup_seconds").asDouble()).isGreaterThanOrEqualTo(0.3);
        // then until the JIT compiled nothing for --jit-quiet seconds (a HotSpot JVM reports it)
        assertThat(j.get("jit_quiet").asBoolean()).isTrue();
        assertThat(j.get("jit_compile_seconds").asDouble()).isPositive();
    }

    @Test
    void sizeSetsTheInput() throws Exception {
        CliRun r = run("bench", "--model", "resnet20", "--mode", "infer", "--batch", "1", "--iters", "1", "--warmup", "0",
                "--warmup-seconds", "0", "--jit-quiet", "0", "--size", "24", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.get("size").asInt()).isEqualTo(24);
        // every convolution scales with the pixels, (24/32)^2; the classifier's 64x10 does not
        assertThat(j.get("macs_per_image").asLong()).isEqualTo((40_551_040L - 640) * 9 / 16 + 640);
    }

    @Test
    void inferAndUsageErrors() throws Exception {
        CliRun r = run("bench", "--model", "resnet20", "--mode", "infer", "--batch", "1", "--iters", "1", "--warmup", "0",
                "--warmup-seconds", "0", "--jit-quiet", "0", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Json.MAPPER.readTree(r.out()).get("mode").asText()).isEqualTo("infer");
        assertThat(run("bench", "--model", "resnet20", "--mode", "fly", "--batch", "2").code()).isEqualTo(2);
        assertThat(run("bench", "--model", "resnet20", "--mode", "infer", "--batch", "1", "--size", "0").err())
                .contains("--size");
        assertThat(run("bench", "--model", "nope", "--mode", "train", "--batch", "2").err()).contains("unknown model");
        assertThat(run("bench", "--model", "resnet20", "--mode", "train", "--batch", "1").code()).isEqualTo(2);
        assertThat(run("bench", "--model", "resnet20", "--mode", "infer", "--batch", "1", "--warmup-seconds", "-1").err())
                .contains("--warmup-seconds");
        assertThat(run("bench", "--model", "resnet20", "--mode", "infer", "--batch", "1", "--jit-quiet", "-1").err())
                .contains("--jit-quiet");
    }
}
