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

    @Test void scheduleOptionsOfAnotherScheduleAreUsageErrors() {
        assertUsage(train("cosine-milestones", "--schedule", "cosine", "--milestones", "1"), "--milestones", "multistep");
        assertUsage(train("paper-milestones", "--schedule", "paper", "--milestones", "1"), "--milestones", "multistep");
        assertUsage(train("cosine-gamma", "--gamma", "0.5"), "--gamma", "multistep");
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
