package org.jresnet.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jresnet.cli.Main;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.Transforms;
import org.jresnet.io.ModelFiles;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.Preprocessing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example is {@link ReadmeOnnxExample#classify} letter for letter, and it works:
 * the shipped ResNet-20, exported by {@code jresnet export}, classifies the bundled test images in
 * ONNX Runtime as jresnet does.
 */
class ReadmeOnnxExampleTest {
    static final Path SOURCE = Path.of("src/test/java/org/jresnet/export/ReadmeOnnxExample.java");
    static final int IMAGES = 4;

    @TempDir Path tmp;

    @Test void readmeQuotesTheExample() throws Exception {
        String src = Files.readString(SOURCE);
        String body = src.substring(src.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(), src.indexOf("    // README-END"));
        StringBuilder snippet = new StringBuilder();
        for (String line : body.split("\n", -1)) snippet.append(line.startsWith("    ") ? line.substring(4) : line).append('\n');
        String code = snippet.toString().strip();
        assertThat(code.lines().count()).isBetween(8L, 20L);
        assertThat(Files.readString(Path.of("README.md"))).as("README.md quotes ReadmeOnnxExample.classify exactly")
                .contains("```java\n" + code + "\n```");
    }

    @Test void theExampleClassifiesAsJresnetDoes() throws Exception {
        Path onnx = tmp.resolve("resnet20.onnx");
        assertThat(Main.execute("export", "--out", onnx.toString())).isZero();
        ModelFiles.Loaded shipped = ModelFiles.load(Path.of("models/resnet20-cifar10.safetensors"));
        shipped.model().setTraining(false);
        var prep = Preprocessing.resizeCrop(shipped.metadata().normalization(), 32);
        int agreed = 0;
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile("data/cifar10-sample.zip")) {
            List<? extends ZipEntry> tests = zip.stream().filter(e -> e.getName().startsWith("test/") && !e.isDirectory())
                    .limit(IMAGES).toList();
            for (ZipEntry e : tests) {
                Tensor x = Tensor.zeros(1, 32, 32, 3);
                Transforms.applyToImage(prep, ImageDecoder.decode(zip.getInputStream(e).readAllBytes(), e.getName()),
                        x.data(), 0);
                float[] logits = shipped.model().forward(x).toArray();
                int best = 0;
                for (int k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
                String ort = ReadmeOnnxExample.classify(onnx.toString(), OnnxRuntimeParityTest.toNchw(x));
                names.add(ort);
                if (ort.equals(shipped.metadata().classes().get(best))) agreed++;
            }
        }
        assertThat(agreed).as("ORT's classes " + names).isEqualTo(IMAGES);
        assertThat(names).allMatch(shipped.metadata().classes()::contains);
    }
}
