package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipFile;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.TensorData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options that would be silently ignored are usage errors, and weights holding NaN or infinite
 * values are refused at load (issue 12, defect 9).
 */
class IgnoredOptionsTest {
    @TempDir static Path tmp;
    static Path data, image;

    @BeforeAll static void data() throws Exception {
        data = TinyImageFolder.write(tmp, 2, 1, 8);
        try (ZipFile z = new ZipFile(data.toFile())) {
            image = Files.write(tmp.resolve("image.png"), z.getInputStream(z.getEntry("test/blue/0000.png")).readAllBytes());
        }
    }

    private static String lastLine(CliRun r) { return r.lastErrLine(); }

    private static void assertUsage(CliRun r, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(lastLine(r)).startsWith("jresnet: ").contains(fragments);
    }

    private static CliRun train(String out, String... more) {
        String[] base = {"train", "--data", data.toString(), "--out", tmp.resolve(out).toString(), "--cache-dir",
            tmp.resolve("cache").toString(), "--epochs", "1", "--batch", "2", "--quiet"};
        String[] a = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, a, base.length, more.length);
        return CliRun.of(a);
    }

    @Test void aShortcutOtherThanTheWeightsSaysIsAUsageError() {
        String shipped = Home.bundled(Home.SHIPPED_MODEL).toString();   // a resnet20 with shortcut A
        assertUsage(CliRun.of("predict", "--weights", shipped, "--shortcut", "B", image.toString()), "shortcut A",
                "--shortcut B");
        assertUsage(CliRun.of("eval", "--weights", shipped, "--shortcut", "C", "--data", data.toString(), "--cache-dir",
                tmp.resolve("cache").toString()), "shortcut A", "--shortcut C");
        CliRun same = CliRun.of("predict", "--weights", shipped, "--shortcut", "A", image.toString());
        assertThat(same.code()).as(same.err()).isZero();
    }

    @Test void aVariantOtherThanTheWeightsSayIsAUsageError() throws Exception {
        String shipped = Home.bundled(Home.SHIPPED_MODEL).toString();   // metadata: resnet20, variant v1.5
        for (CliRun r : new CliRun[] {
            CliRun.of("predict", "--weights", shipped, "--variant", "v1", image.toString()),
            CliRun.of("eval", "--weights", shipped, "--variant", "v1", "--data", data.toString(), "--cache-dir",
                    tmp.resolve("cache").toString()),
            CliRun.of("export", "--weights", shipped, "--variant", "v1", "--out", tmp.resolve("v.onnx").toString()),
            CliRun.of("convert", shipped, tmp.resolve("v.safetensors").toString(), "--variant", "v1")}) {
            assertUsage(r, "holds a resnet20 of variant v1.5; --variant v1 is only for files without jresnet metadata");
            assertThat(r.err().strip()).doesNotContain("\n");
        }
        assertThat(tmp.resolve("v.onnx")).doesNotExist();
        assertThat(tmp.resolve("v.safetensors")).doesNotExist();
        CliRun same = CliRun.of("predict", "--weights", shipped, "--variant", "v1.5", image.toString());
        assertThat(same.code()).as(same.err()).isZero();

        // a misspelt value is refused before any file is read, whichever command
        for (CliRun r : new CliRun[] {
            CliRun.of("predict", "--weights", shipped, "--variant", "v2", image.toString()),
            CliRun.of("convert", shipped, tmp.resolve("v.safetensors").toString(), "--variant", "v2")}) {
            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err().strip()).isEqualTo("jresnet: unknown variant 'v2'; valid: v1.5, v1");
        }

        // Without metadata, a basic-block net has no bottleneck whose stride v1 would move.
        SafeTensorsFile f = SafeTensors.read(Path.of(shipped));
        Path bare = tmp.resolve("bare-r20.safetensors");
        SafeTensors.write(bare, f.tensors(), Map.of());
        CliRun basic = CliRun.of("convert", bare.toString(), tmp.resolve("b.safetensors").toString(), "--variant", "v1");
        assertUsage(basic, "--variant v1 places a bottleneck's stride; resnet20 has basic blocks");
        CliRun basic15 = CliRun.of("convert", bare.toString(), tmp.resolve("b.safetensors").toString(), "--variant", "v1.5");
        assertThat(basic15.code()).as(basic15.err()).isZero();
        assertThat(basic15.err()).doesNotContain("assumed");
    }

    @Test void scheduleOptionsOfAnotherScheduleAreUsageErrors() {
        assertUsage(train("cosine-milestones", "--schedule", "cosine", "--milestones", "1"), "--milestones", "multistep");
        assertUsage(train("paper-milestones", "--schedule", "paper", "--milestones", "1"), "--milestones", "multistep");
        assertUsage(train("cosine-gamma", "--gamma", "0.5"), "--gamma", "multistep");
        // multistep without its steps would be a constant rate
        assertUsage(train("multistep-alone", "--schedule", "multistep"), "--schedule multistep needs --milestones");
        assertUsage(train("until-error", "--warmup-until-error", "0.5"), "--warmup-until-error", "--warmup-lr");
        assertThat(train("multistep", "--schedule", "multistep", "--milestones", "1", "--gamma", "0.5").code()).isZero();
    }

    @Test void freezingTheBackboneNeedsInitialWeights() {
        CliRun r = train("frozen", "--freeze-backbone");
        assertUsage(r, "--init");
        assertThat(lastLine(r)).isEqualTo("jresnet: --freeze-backbone needs --init (the weights to keep)");
    }

    @Test void weightsHoldingNaNAreRefusedAtLoad() throws Exception {
        Path shipped = Home.bundled(Home.SHIPPED_MODEL);
        SafeTensorsFile f = SafeTensors.read(shipped);
        Map<String, TensorData> tensors = new LinkedHashMap<>(f.tensors());
        TensorData w = tensors.get("layer2.1.conv1.weight");
        float[] v = w.floats().clone();
        v[7] = Float.NaN;
        v[8] = Float.POSITIVE_INFINITY;
        tensors.put("layer2.1.conv1.weight", TensorData.f32(v, w.shape()));
        Path broken = tmp.resolve("broken.safetensors");
        SafeTensors.write(broken, tensors, f.metadata());
        for (CliRun r : new CliRun[] {
            CliRun.of("predict", "--weights", broken.toString(), image.toString()),
            CliRun.of("eval", "--weights", broken.toString(), "--data", data.toString(), "--cache-dir",
                    tmp.resolve("cache").toString()),
            train("from-broken", "--init", broken.toString())}) {
            assertThat(r.code()).as(r.err()).isEqualTo(1);
            assertThat(lastLine(r)).startsWith("jresnet: " + broken).contains("2 NaN/infinite values",
                    "layer2.1.conv1.weight");
            assertThat(r.err()).doesNotContain("\tat org.jresnet");
        }
    }
}
