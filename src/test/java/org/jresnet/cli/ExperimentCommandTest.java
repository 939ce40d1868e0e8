package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jresnet.experiments.Degradation;
import org.jresnet.experiments.GradientFlow;
import org.jresnet.experiments.LayerResponses;
import org.jresnet.experiments.Lesion;
import org.jresnet.experiments.ShortcutOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every experiment and the report from the CLI on a tiny synthetic dataset (24 training images of
 * 8x8, one epoch): output files and columns, shared trained runs (the degradation's nets serve the
 * others, a second invocation trains nothing), and the report finding them all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExperimentCommandTest {
    @TempDir static Path tmp;
    static Path data, out;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll static void data() throws Exception {
        data = TinyImageFolder.write(tmp, 8, 4, 8);
        out = tmp.resolve("exp");
    }

    static int run(String name, String... extra) {
        List<String> a = new ArrayList<>(List.of("experiment", name, "--data", data.toString(), "--out", out.toString(),
                "--epochs", "1", "--batch", "8", "--threads", "2", "--quiet", "--cache-dir", tmp.resolve("cache").toString()));
        a.addAll(List.of(extra));
        return Main.execute(a.toArray(String[]::new));
    }

    static List<String> csv(String exp, String file) throws Exception {
        return Files.readAllLines(out.resolve(exp).resolve(file));
    }

    static JsonNode summary(String exp) throws Exception {
        return JSON.readTree(out.resolve(exp).resolve("summary.json").toFile());
    }

    static Map<Path, FileTime> runCheckpoints() throws Exception {
        Map<Path, FileTime> m = new HashMap<>();
        try (Stream<Path> s = Files.list(out.resolve("runs"))) {
            for (Path p : s.toList()) m.put(p.getFileName(), Files.getLastModifiedTime(p.resolve("checkpoint.safetensors")));
        }
        return m;
    }

    static void assertOutputs(String exp, List<String> columns, String... pngs) throws Exception {
        Path dir = out.resolve(exp);
        assertThat(csv(exp, "results.csv").get(0)).isEqualTo(String.join(",", columns));
        for (String p : pngs) assertThat(dir.resolve(p)).isNotEmptyFile();
        assertThat(dir.resolve("summary.md")).isNotEmptyFile();
        assertThat(summary(exp).get("experiment").asText()).isEqualTo(exp);
    }

    @Test @Order(1) void degradationTrainsFourModelsAndStatesTheFindings() throws Exception {
        assertThat(run("degradation", "--depths", "20,32")).isZero();
        assertOutputs(Degradation.NAME, Degradation.COLUMNS, "degradation-plain.png", "degradation-resnet.png");
        assertThat(csv("degradation", "results.csv")).hasSize(1 + 4);  // 4 models x 1 epoch
        JsonNode s = summary("degradation");
        assertThat(s.get("models").fieldNames()).toIterable()
                .containsExactly("plain-20", "plain-32", "ResNet-20", "ResNet-32");
        for (JsonNode m : s.get("models")) {
            assertThat(m.get("train_err").asDouble()).isBetween(0.0, 1.0);
            assertThat(m.get("test_err").asDouble()).isBetween(0.0, 1.0);
        }
        assertThat(s.get("deeper_plain_higher_train_err").isBoolean()).isTrue();
        assertThat(s.get("deeper_resnet_lower_err").isBoolean()).isTrue();
        assertThat(runCheckpoints()).hasSize(4);
    }

    @Test @Order(2) void secondInvocationReusesTheFinishedRuns() throws Exception {
        Map<Path, FileTime> before = runCheckpoints();
        assertThat(run("degradation", "--depths", "20,32")).isZero();
        assertThat(runCheckpoints()).isEqualTo(before);
    }

    @Test @Order(3) void lesionUsesTheDegradationNets() throws Exception {
        Map<Path, FileTime> before = runCheckpoints();
        assertThat(run("lesion", "--depth", "20", "--max-k", "2", "--draws", "2")).isZero();
        assertThat(runCheckpoints()).isEqualTo(before);
        assertOutputs(Lesion.NAME, Lesion.COLUMNS, "lesion-single.png", "lesion-random.png");
        // ResNet-20: intact + 9 single blocks + 2x2 random; plain-20: intact + 7 shape-preserving blocks + 2x2.
        assertThat(csv("lesion", "results.csv")).hasSize(1 + (1 + 9 + 4) + (1 + 7 + 4));
        JsonNode r = summary("lesion").get("ResNet-20");
        assertThat(r.get("single_block_err").size()).isEqualTo(9);
        assertThat(r.get("downsampling_blocks").toString()).isEqualTo("[\"layer2.0\",\"layer3.0\"]");
        assertThat(summary("lesion").get("plain-20").get("single_block_err").size()).isEqualTo(7);
    }

    @Test @Order(4) void lesionOnGivenWeightsFiles() throws Exception {
        Path resnet, plain;
        try (Stream<Path> s = Files.list(out.resolve("runs"))) {
            List<Path> runs = s.toList();
            resnet = runs.stream().filter(p -> p.getFileName().toString().startsWith("resnet20-")).findFirst().orElseThrow();
            plain = runs.stream().filter(p -> p.getFileName().toString().startsWith("plain20-")).findFirst().orElseThrow();
        }
        Path copy = Files.copy(resnet.resolve("model.safetensors"), tmp.resolve("my-resnet20.safetensors"));
        double shared = summary("lesion").get("ResNet-20").get("baseline_err").asDouble();
        assertThat(run("lesion", "--depth", "20", "--max-k", "1", "--draws", "1", "--weights", copy.toString())).isZero();
        JsonNode r = summary("lesion").get("ResNet-20");
        assertThat(r.get("baseline_err").asDouble()).isEqualTo(shared);
        assertThat(r.get("source").asText()).contains("my-resnet20.safetensors");
        assertThat(summary("lesion").get("plain-20").get("source").asText()).contains("epochs").contains("plain20-");
        // the wrong kind or depth of net, or no file: one-line usage errors
        assertThat(run("lesion", "--depth", "20", "--weights", plain.resolve("model.safetensors").toString())).isEqualTo(2);
        assertThat(run("lesion", "--depth", "32", "--weights", copy.toString())).isEqualTo(2);
        assertThat(run("lesion", "--depth", "20", "--plain-weights", tmp.resolve("nope.safetensors").toString())).isEqualTo(2);
    }

    @Test @Order(5) void gradientsAtInitAndTrained() throws Exception {
        assertThat(run("gradients", "--depth", "20", "--images", "8", "--toy-depth", "12")).isZero();
        assertOutputs(GradientFlow.NAME, GradientFlow.COLUMNS, "gradients-blocks.png", "gradients-convs.png",
                "toy-sigmoid.png");
        // 2 nets x 2 states x (9 blocks x 3 quantities + convs: 19 in the plain net, 19 + 0 in ResNet-20 option A).
        assertThat(csv("gradients", "results.csv")).hasSize(1 + 4 * (27 + 19));
        assertThat(csv("gradients", "toy.csv")).hasSize(1 + 12);
        assertThat(csv("gradients", "toy.csv").get(0)).isEqualTo(String.join(",", GradientFlow.TOY_COLUMNS));
        JsonNode toy = summary("gradients").get("sigmoid_chain");
        assertThat(toy.get("max_relative_error_numeric_vs_closed_form").asDouble()).isLessThan(1e-10);
        assertThat(summary("gradients").get("models").size()).isEqualTo(4);
        // more images than the training set: the summary says how many were used, not how many were asked for
        assertThat(run("gradients", "--depth", "20", "--images", "100000", "--toy-depth", "12")).isZero();
        assertThat(summary("gradients").get("images").asInt()).isEqualTo(8 * TinyImageFolder.CLASSES.length);
    }

    @Test @Order(6) void responsesInLayerOrderAndSorted() throws Exception {
        assertThat(run("responses", "--depths", "20", "--images", "6")).isZero();
        assertOutputs(LayerResponses.NAME, LayerResponses.COLUMNS, "responses-layers.png", "responses-sorted.png");
        assertThat(csv("responses", "results.csv")).hasSize(1 + 2 * 19);  // stem + 2 per block, two nets
        assertThat(summary("responses").get("resnet_smaller_responses").isBoolean()).isTrue();
    }

    @Test @Order(7) void shortcutsReuseOptionATrainOptionB() throws Exception {
        int before = runCheckpoints().size();
        assertThat(run("shortcuts", "--depth", "20", "--options", "A,B")).isZero();
        assertThat(runCheckpoints()).hasSize(before + 1);
        assertOutputs(ShortcutOptions.NAME, ShortcutOptions.COLUMNS, "shortcuts-error.png", "shortcuts-curves.png");
        List<String> rows = csv("shortcuts", "results.csv");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1)).startsWith("A,resnet20,");
        assertThat(rows.get(2)).startsWith("B,resnet20,");
        JsonNode o = summary("shortcuts").get("options");
        assertThat(o.get("B").get("params").asLong()).isGreaterThan(o.get("A").get("params").asLong());
    }

    @Test @Order(8) void reportCollectsEveryExperiment() throws Exception {
        assertThat(Main.execute("report", "--runs", out.toString())).isZero();
        String html = Files.readString(out.resolve("report.html"));
        for (String id : List.of("degradation", "gradients", "lesion", "shortcuts", "responses")) {
            assertThat(html).contains("<section id=\"" + id + "\">");
        }
        assertThat(html).contains("data:image/png;base64,").doesNotContain("src=\"degradation-plain.png\"");
        assertThat(html.indexOf("id=\"degradation\"")).isLessThan(html.indexOf("id=\"lesion\""));
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md).contains("](degradation/degradation-plain.png)").contains("](lesion/results.csv)");
    }

    @Test @Order(9) void badInputGetsOneLineErrors() {
        assertThat(run("degradation", "--depths", "20")).isEqualTo(2);
        assertThat(run("lesion", "--depth", "21")).isEqualTo(2);
        assertThat(Main.execute("experiment")).isEqualTo(2);
        assertThat(Main.execute("report", "--runs", tmp.resolve("cache").toString())).isEqualTo(2);
        // refused for its arguments: no folder left behind
        Path fresh = tmp.resolve("refused");
        assertThat(Main.execute("experiment", "degradation", "--depths", "20", "--data", data.toString(), "--out",
                fresh.toString(), "--quiet")).isEqualTo(2);
        assertThat(Main.execute("experiment", "lesion", "--depth", "21", "--data", data.toString(), "--out",
                fresh.toString(), "--quiet")).isEqualTo(2);
        assertThat(fresh).doesNotExist();
        // lesion's --max-k follows from the depth: refused before any net is trained
        assertThat(Main.execute("experiment", "lesion", "--depth", "20", "--max-k", "50", "--data", data.toString(), "--out",
                fresh.toString(), "--quiet")).isEqualTo(2);
        assertThat(fresh).doesNotExist();
    }

    /** Repeats and wrong values are refused before anything is written or overwritten. */
    @Test @Order(10) void repeatsAreRefusedBeforeAnyOutput() throws Exception {
        byte[] before = Files.readAllBytes(out.resolve("responses/results.csv"));
        rejected("--depths repeats 20", "responses", "--depths", "20,20");
        assertThat(Files.readAllBytes(out.resolve("responses/results.csv"))).isEqualTo(before);
        byte[] shortcuts = Files.readAllBytes(out.resolve("shortcuts/results.csv"));
        rejected("--options repeats A", "shortcuts", "--options", "A,A");
        rejected("--options takes shortcut options among A, B, C, got 'D'", "shortcuts", "--options", "D");
        assertThat(Files.readAllBytes(out.resolve("shortcuts/results.csv"))).isEqualTo(shortcuts);
        rejected("depth 8 has no CIFAR ResNet; the depths are 20, 32, 44, 56, 110, 1202", "degradation", "--depths", "8,20");
        rejected("--images must be >= 0", "responses", "--images", "-3");
        rejected("--test-images must be >= 0", "lesion", "--depth", "20", "--test-images", "-5");
    }

    private static void rejected(String message, String name, String... extra) {
        List<String> a = new ArrayList<>(List.of("experiment", name, "--data", data.toString(), "--out", out.toString(),
                "--epochs", "1", "--batch", "8", "--threads", "2", "--quiet", "--cache-dir", tmp.resolve("cache").toString()));
        a.addAll(List.of(extra));
        CliRun r = CliRun.of(a.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("jresnet: ").contains(message).doesNotContain("\n");
    }
}
