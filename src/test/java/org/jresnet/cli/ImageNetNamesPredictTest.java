package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.jresnet.io.ImageNetClasses;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.SafeTensors;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1000-class model that names no classes predicts ImageNet names (torchvision's order); one
 * with names of its own keeps them. The rule goes by the class count, so a ResNet-20 with 1000
 * classes stands in for an ImageNet net (building and loading a ResNet-18 takes seconds per call).
 */
class ImageNetNamesPredictTest {
    @TempDir Path tmp;
    private Path image;
    private static final ResNet NET = Models.create(ModelConfig.of("resnet20").withNumClasses(1000));

    @BeforeEach void image() throws Exception {
        image = tmp.resolve("dog.jpg");
        try (ZipFile z = new ZipFile("data/cifar10-sample.zip")) {
            Files.write(image, z.getInputStream(z.getEntry("test/dog/0004.jpg")).readAllBytes());
        }
    }

    private JsonNode predictJson(String... weightArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("predict", "--json", "--top", "3"));
        args.addAll(List.of(weightArgs));
        args.add(image.toString());
        CliRun r = CliRun.of(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        return new ObjectMapper().readTree(r.out()).get(0).get("top");
    }

    private static void imagenetNames(JsonNode top) {
        assertThat(top).hasSize(3);
        for (JsonNode t : top) assertThat(t.get("class").asText()).isEqualTo(ImageNetClasses.names().get(t.get("index").asInt()));
    }

    /** The file's metadata with {@code classes} replaced (null: removed). */
    private Path withClasses(List<String> classes) throws Exception {
        Map<String, String> meta = new LinkedHashMap<>(ModelMetadata.defaults(NET.config).toMap());
        if (classes == null) meta.remove("classes");
        else meta.put("classes", new ObjectMapper().writeValueAsString(classes));
        Path f = tmp.resolve("r20-" + (classes == null ? "none" : classes.get(1)) + ".safetensors");
        SafeTensors.write(f, ModelFiles.stateDict(NET), meta);
        return f;
    }

    @Test void numberedOrMissingNamesBecomeImageNetNames() throws Exception {
        imagenetNames(predictJson("--weights", withClasses(ModelMetadata.numbered(1000)).toString()));
        imagenetNames(predictJson("--weights", withClasses(null).toString()));
    }

    @Test void aPyTorchExportWithoutMetadataGetsImageNetNamesAndTextOutputShowsThem() throws Exception {
        Path f = tmp.resolve("torch.safetensors");
        SafeTensors.write(f, ModelFiles.stateDict(NET), Map.of());
        imagenetNames(predictJson("--weights", f.toString(), "--model", "resnet20"));
        CliRun r = CliRun.of("predict", "--top", "1", "--weights", f.toString(), "--model", "resnet20", image.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String shown = r.out().substring(r.out().indexOf(':') + 1).strip();
        String name = shown.substring(0, shown.lastIndexOf(' '));
        assertThat(ImageNetClasses.names()).contains(name);
        assertThat(shown).matches(".+ \\d+\\.\\d%");
    }

    @Test void aModelWithItsOwnThousandNamesKeepsThem() throws Exception {
        List<String> own = new ArrayList<>();
        for (int i = 0; i < 1000; i++) own.add("part-" + i);
        JsonNode top = predictJson("--weights", withClasses(own).toString());
        for (JsonNode t : top) assertThat(t.get("class").asText()).isEqualTo("part-" + t.get("index").asInt());
    }
}
