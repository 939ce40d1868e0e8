package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipFile;
import org.jresnet.api.Network;
import org.jresnet.export.OnnxExporter;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.torch.TorchHelper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --variant} on a ResNet-50 v1 (stride on the first 1x1, the paper's) saved by PyTorch
 * without jresnet metadata: its weights have exactly the shapes of torchvision's v1.5, so only the
 * option makes convert, export and predict build the network that gives PyTorch's v1 logits;
 * without it they build v1.5 and say that they assumed it. The references are PyTorch's, in float64
 * from the checkpoint's own values (python/torch_checkpoints.py --v1).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VariantOptionTest {
    /** As TorchCheckpointParityTest: max|jresnet - PyTorch| over max|PyTorch|. */
    static final double TOL = 1e-4;
    static final String ASSUMED = "stride on the 3x3 (torchvision's v1.5) assumed: the weights cannot tell";

    @TempDir static Path tmp;
    private Path ckpt, v1File;
    private SafeTensorsFile reference;

    @BeforeAll void generate() throws Exception {
        TorchHelper.run(300, tmp.toString(), "--v1");
        ckpt = tmp.resolve("r50_v1.pth");
        reference = SafeTensors.read(tmp.resolve("reference.safetensors"));
        v1File = tmp.resolve("r50_v1.safetensors");
        CliRun c = CliRun.of("convert", ckpt.toString(), v1File.toString(), "--variant", "v1");
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).doesNotContain("assumed");
        assertThat(c.out()).contains("resnet50 (shortcut B, variant v1, 1000 classes)");
    }

    private float[] input() { return reference.get("input_r50_v1").floats(); }

    private static double relativeError(float[] got, float[] ref) {
        assertThat(got).hasSameSizeAs(ref);
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < ref.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
        }
        return maxErr / maxRef;
    }

    @Test void convertWithVariantV1WritesV1AndGivesPyTorchsV1Logits() throws Exception {
        assertThat(SafeTensors.read(v1File).metadata()).containsEntry("variant", "v1").containsEntry("model", "resnet50");
        Network net = Network.load(v1File);
        assertThat(net.metadata().strideOn3x3()).isFalse();
        float[] got = net.predict(input(), 64, 64, Network.Layout.NCHW);
        assertThat(relativeError(got, reference.get("logits_r50_v1").floats())).isLessThanOrEqualTo(TOL);
        // the two readings of the same weights are far apart, so the match above tells them apart
        assertThat(relativeError(got, reference.get("logits_r50_v1_as_v15").floats())).isGreaterThan(1000 * TOL);
    }

    @Test void withoutVariantTheFileIsReadAsV15AndTheNoteSaysSo() throws Exception {
        Path out = tmp.resolve("r50_as_v15.safetensors");
        CliRun c = CliRun.of("convert", ckpt.toString(), out.toString());
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).contains(ASSUMED).contains("--variant v1");
        assertThat(c.out()).contains("variant v1.5,");
        assertThat(SafeTensors.read(out).metadata()).containsEntry("variant", "v1.5");
        float[] got = Network.load(out).predict(input(), 64, 64, Network.Layout.NCHW);
        assertThat(relativeError(got, reference.get("logits_r50_v1_as_v15").floats())).isLessThanOrEqualTo(TOL);

        // --model alone does not say the variant either
        CliRun named = CliRun.of("convert", "--model", "resnet50", ckpt.toString(), tmp.resolve("named.safetensors").toString());
        assertThat(named.code()).as(named.err()).isZero();
        assertThat(named.err()).contains(ASSUMED);
        CliRun v15 = CliRun.of("convert", "--variant", "v1.5", ckpt.toString(), tmp.resolve("said.safetensors").toString());
        assertThat(v15.code()).as(v15.err()).isZero();
        assertThat(v15.err()).doesNotContain("assumed");
    }

    @Test void exportWithVariantV1WritesTheV1GraphAndSaysV1() throws Exception {
        Path onnx = tmp.resolve("r50_v1.onnx");
        CliRun c = CliRun.of("export", "--weights", ckpt.toString(), "--variant", "v1", "--batch", "1", "--out", onnx.toString());
        assertThat(c.code()).as(c.err()).isZero();
        assertThat(c.err()).doesNotContain("assumed");
        // a file without metadata gets 224x224: compare there with the converted v1 file, checked against PyTorch above
        float[] x = new float[3 * 224 * 224];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37);
        float[] want = Network.load(v1File).predict(x, 224, 224, Network.Layout.NCHW);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, 224, 224});
             OrtSession.Result r = s.run(Map.of(OnnxExporter.INPUT, t))) {
            assertThat(s.getMetadata().getCustomMetadata()).containsEntry("variant", "v1").containsEntry("model", "resnet50");
            float[] got = ((float[][]) r.get(OnnxExporter.OUTPUT).orElseThrow().getValue())[0];
            assertThat(relativeError(got, want)).isLessThanOrEqualTo(TOL);
        }
    }

    @Test void predictWithVariantV1PredictsAsTheV1File() throws Exception {
        Path data = TinyImageFolder.write(tmp, 1, 1, 32);
        Path image;
        try (ZipFile z = new ZipFile(data.toFile())) {
            var e = z.stream().filter(x -> x.getName().endsWith(".png")).findFirst().orElseThrow();
            image = Files.write(tmp.resolve("image.png"), z.getInputStream(e).readAllBytes());
        }
        CliRun fromCkpt = CliRun.of("predict", "--weights", ckpt.toString(), "--variant", "v1", "--json", image.toString());
        assertThat(fromCkpt.code()).as(fromCkpt.err()).isZero();
        assertThat(fromCkpt.err()).doesNotContain("assumed");
        CliRun fromV1 = CliRun.of("predict", "--weights", v1File.toString(), "--json", image.toString());
        assertThat(fromV1.code()).as(fromV1.err()).isZero();
        assertThat(fromCkpt.out()).isEqualTo(fromV1.out());
        CliRun assumed = CliRun.of("predict", "--weights", ckpt.toString(), "--json", image.toString());
        assertThat(assumed.err()).contains(ASSUMED);
    }

    @Test void aVariantAgainstTheMetadataIsOneLineAndExit2() throws IOException {
        CliRun r = CliRun.of("convert", v1File.toString(), tmp.resolve("x.safetensors").toString(), "--variant", "v1.5");
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("jresnet: " + v1File + " holds a resnet50 of variant v1;"
                + " --variant v1.5 is only for files without jresnet metadata");
        assertThat(tmp.resolve("x.safetensors")).doesNotExist();
        // one that agrees says nothing new, and is fine
        CliRun same = CliRun.of("convert", v1File.toString(), tmp.resolve("y.safetensors").toString(), "--variant", "V1");
        assertThat(same.code()).as(same.err()).isZero();
        assertThat(SafeTensors.read(tmp.resolve("y.safetensors")).metadata()).containsEntry("variant", "v1");
    }
}
