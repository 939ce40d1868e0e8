package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("smoke")
class SummaryCommandTest {
    private static CliRun run(String... args) { return CliRun.of(args); }

    @Test
    void jsonIsOneObjectWithCounts() throws Exception {
        CliRun r = run("summary", "--model", "resnet50", "--json");
        assertThat(r.code()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.get("model").asText()).isEqualTo("resnet50");
        assertThat(j.get("params").asLong()).isEqualTo(25_557_032L);
        assertThat(j.get("macs").asLong()).isEqualTo(4_089_184_256L);
        assertThat(j.get("input").toString()).isEqualTo("[3,224,224]");
        assertThat(j.get("stages").size()).isEqualTo(7);
        assertThat(j.get("stages").get(4).get("output").toString()).isEqualTo("[2048,7,7]");
    }

    @Test
    void cifarDefaultsAndShortcutOption() throws Exception {
        JsonNode a = Json.MAPPER.readTree(run("summary", "--model", "resnet20", "--json").out());
        assertThat(a.get("input").toString()).isEqualTo("[3,32,32]");
        assertThat(a.get("params").asLong()).isEqualTo(269_722L);
        assertThat(a.get("macs").asLong()).isEqualTo(40_551_040L);
        JsonNode b = Json.MAPPER.readTree(run("summary", "--model", "resnet20", "--shortcut", "B", "--json").out());
        assertThat(b.get("params").asLong()).isEqualTo(269_722L + 16 * 32 + 64 + 32 * 64 + 128);
        assertThat(b.get("shortcut").asText()).isEqualTo("B");
    }

    @Test
    void inputSizeOption() throws Exception {
        JsonNode j = Json.MAPPER.readTree(run("summary", "--model", "resnet18", "--input", "3x64x64", "--json").out());
        assertThat(j.get("input").toString()).isEqualTo("[3,64,64]");
        assertThat(j.get("stages").get(4).get("output").toString()).isEqualTo("[512,2,2]");
    }

    @Test
    void textTable() {
        CliRun r = run("summary", "--model", "resnet18");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("layer4").contains("11,689,512").contains("1,814,073,344");
        // basic blocks have one place for the stride: no variant to name
        assertThat(r.out().lines().findFirst().orElse("")).isEqualTo("resnet18 (shortcut B), input 3x224x224");
        assertThat(run("summary", "--model", "resnet50").out()).startsWith("resnet50 (shortcut B, stride on the 3x3 (v1.5))");
    }

    @Test
    void unknownModelIsAUsageErrorListingNames() {
        CliRun r = run("summary", "--model", "resnet19");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).doesNotContain("\n").contains("unknown model 'resnet19'").contains("resnet50, ");
    }

    @Test
    void compareBlocks() throws Exception {
        CliRun r = run("summary", "--compare-blocks");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("1,179,648").contains("69,632").contains("16.94x");
        JsonNode j = Json.MAPPER.readTree(run("summary", "--compare-blocks", "--json").out());
        assertThat(j.get("blocks").get(0).get("conv_weights").asLong()).isEqualTo(1_179_648L);
        assertThat(j.get("blocks").get(1).get("conv_weights").asLong()).isEqualTo(69_632L);
        assertThat(j.get("blocks").get(1).get("macs").asLong()).isEqualTo(69_632L * 56 * 56);
        assertThat(j.get("weight_ratio").asDouble()).isEqualTo(16.94);
    }

    @Test
    void badInputAndShortcutAreUsageErrors() {
        assertThat(run("summary").code()).isEqualTo(2);
        assertThat(run("summary", "--model", "resnet18", "--input", "3xfoo").code()).isEqualTo(2);
        assertThat(run("summary", "--model", "resnet18", "--shortcut", "D").code()).isEqualTo(2);
        assertThat(run("summary", "--model", "plain18", "--shortcut", "B").code()).isEqualTo(2);
        // sides that would overflow the counts (they printed negative multiply-adds)
        CliRun huge = run("summary", "--model", "resnet20", "--input", "3x2147483647x2147483647");
        assertThat(huge.code()).isEqualTo(2);
        assertThat(huge.lastErrLine()).isEqualTo("jresnet: --input sides are at most 16384 pixels, got '3x2147483647x2147483647'");
    }
}
