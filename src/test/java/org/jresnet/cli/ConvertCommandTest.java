package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jresnet.api.Network;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.torch.TorchHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert} and {@code eval --weights X.pth} on checkpoints written by Debian's torch. */
class ConvertCommandTest {
    @TempDir Path tmp;

    @Test void convertsAndEvaluatesPyTorchCheckpoints() throws Exception {
        TorchHelper.run(300, tmp.toString(), "--small");
        Path ckpt = tmp.resolve("r20_nested_dp.pth.tar"), out = tmp.resolve("r20.safetensors");

        CliRun c = CliRun.of("--debug", "convert", ckpt.toString(), out.toString());
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.out()).contains("wrote " + out).contains("resnet20 (shortcut A, 10 classes)");
        assertThat(c.err()).contains("entry 'state_dict'").contains("inferred resnet20")
                .contains("ignored checkpoint entry args: a pickled");

        // The converted file carries our metadata and gives exactly the checkpoint's predictions.
        Network fromPth = Network.load(ckpt), fromSt = Network.load(out);
        assertThat(fromSt.metadata().model()).isEqualTo("resnet20");
        float[] x = new float[2 * 3 * 32 * 32];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37);
        assertThat(fromSt.predict(x, 32, 32, Network.Layout.NCHW)).containsExactly(fromPth.predict(x, 32, 32, Network.Layout.NCHW));

        assertThat(CliRun.of("convert", ckpt.toString(), out.toString()).code()).isEqualTo(2);   // exists, no --force

        Path data = TinyImageFolder.write(tmp.resolve("ten.zip"), 1, 2, 32, ModelMetadata.CIFAR10_CLASSES.toArray(String[]::new));
        CliRun e = CliRun.of("eval", "--weights", tmp.resolve("r20_legacy.pth").toString(), "--data", data.toString(),
                "--json", "--cache-dir", tmp.resolve("cache").toString());
        assertThat(e.code()).as(e.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(e.out());
        assertThat(j.get("n").asInt()).isEqualTo(20);
        assertThat(j.get("model").asText()).isEqualTo("resnet20");

        Path junk = tmp.resolve("junk.pth");
        byte[] b = Files.readAllBytes(tmp.resolve("r20_zip.pth"));
        Files.write(junk, java.util.Arrays.copyOf(b, 3000));
        CliRun bad = CliRun.of("eval", "--weights", junk.toString(), "--data", data.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().strip()).startsWith("jresnet: " + junk).doesNotContain("\n").doesNotContain("Exception");
    }
}
