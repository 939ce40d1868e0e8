package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.Shortcut;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
    @TempDir Path dir;

    private static ResNet model(String name, Shortcut s, long seed) {
        return Models.create(ModelConfig.of(name).withShortcut(s).withSeed(seed));
    }

    @Test
    void savesTheStateDictInTorchvisionOrderAndRebuildsTheModelFromTheFileAlone() throws IOException {
        ResNet m = model("resnet20", Shortcut.B, 3);
        m.buffers().get("layer2.0.downsample.1.running_var").value().set(5, 2.5f);
        m.buffers().get("bn1.num_batches_tracked").value().set(0, 1234);
        ModelMetadata meta = ModelMetadata.defaults(m.config).withNormalization(new Normalization(
                new double[] {0.5f, 0.4f, 0.3f}, new double[] {0.2f, 0.25f, 0.3f}));
        Path p = dir.resolve("r20.safetensors");
        ModelFiles.save(p, m, meta);

        SafeTensorsFile f = SafeTensors.read(p);
        List<String> keys = new ArrayList<>(f.tensors().keySet());
        assertThat(keys.subList(0, 7)).containsExactly("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight");
        assertThat(keys).contains("layer2.0.downsample.0.weight", "layer2.0.downsample.1.num_batches_tracked")
                .endsWith("fc.weight", "fc.bias");
        assertThat(keys).hasSize(m.parameters().size() + m.buffers().size());
        assertThat(f.get("bn1.num_batches_tracked").dtype()).isEqualTo(DType.I64);
        assertThat(f.get("bn1.num_batches_tracked").longs()).containsExactly(1234L);
        assertThat(f.metadata()).containsEntry("format", "jresnet").containsEntry("model", "resnet20")
                .containsEntry("shortcut", "B").containsEntry("num_classes", "10").containsEntry("variant", "v1.5")
                .containsEntry("classes", "[\"airplane\",\"automobile\",\"bird\",\"cat\",\"deer\",\"dog\",\"frog\",\"horse\",\"ship\",\"truck\"]")
                .containsEntry("input_size", "[3,32,32]");

        ModelFiles.Loaded l = ModelFiles.load(p);
        assertThat(l.metadata()).isEqualTo(meta);
        assertThat(l.model().config.shortcut()).isEqualTo(Shortcut.B);
        assertThat(l.report().complete()).isTrue();
        for (var e : m.parameters().entrySet()) {
            assertThat(l.model().parameters().get(e.getKey()).value().toArray()).as(e.getKey())
                    .containsExactly(e.getValue().value().toArray());
        }
        for (var e : m.buffers().entrySet()) {
            assertThat(l.model().buffers().get(e.getKey()).value().toArray()).as(e.getKey())
                    .containsExactly(e.getValue().value().toArray());
        }
    }

    @Test
    void metadataRoundTripsForEveryOption() throws IOException {
        ModelConfig c = ModelConfig.of("resnet50").withShortcut(Shortcut.C).withStrideOn3x3(false).withNumClasses(3);
        ModelMetadata m = ModelMetadata.defaults(c).withClasses(List.of("cat", "dog", "bird \"quoted\""));
        assertThat(ModelMetadata.fromMap(m.toMap(), Path.of("x"))).isEqualTo(m);
        assertThat(ModelMetadata.fromMap(m.toMap(), Path.of("x")).toConfig()).isEqualTo(c.withSeed(0));
        ModelMetadata plain = ModelMetadata.defaults(ModelConfig.of("plain20"));
        assertThat(plain.toMap()).containsEntry("shortcut", "none");
        assertThat(ModelMetadata.fromMap(plain.toMap(), Path.of("x")).shortcut()).isEqualTo(Shortcut.NONE);
    }

    @Test
    void badMetadataIsOneLineNamingTheFile() {
        Map<String, String> m = new LinkedHashMap<>(ModelMetadata.defaults(ModelConfig.of("resnet20")).toMap());
        m.put("model", "resnet21");
        assertThatThrownBy(() -> ModelMetadata.fromMap(m, Path.of("f.safetensors")))
                .isInstanceOf(WeightsException.class).hasMessageStartingWith("f.safetensors: bad metadata: unknown model 'resnet21'");
        m.put("model", "resnet20");
        m.put("mean", "[0.5, oops]");
        assertThatThrownBy(() -> ModelMetadata.fromMap(m, Path.of("f.safetensors"))).hasMessageStartingWith("f.safetensors: bad metadata:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> ModelMetadata.fromMap(Map.of(), Path.of("g"))).hasMessageContaining("give the model name");
    }

    /** JSON nulls and wrong element types: one line naming the key, not a NullPointerException or a base64 error. */
    @Test
    void nullsAndWrongTypesInMetadataAreBadMetadata() throws Exception {
        Map<String, String> good = ModelMetadata.defaults(ModelConfig.of("resnet20")).toMap();
        String[][] cases = {
            {"classes", "null", "'classes' is not a JSON array of a string: null"},
            {"classes", "[null,\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\"]", "'classes'[0] is not a string: null"},
            {"mean", "null", "'mean' is not a JSON array of a number"},
            {"mean", "\"abc\"", "'mean' is not a JSON array of a number: \"abc\""},
            {"std", "[0.2, \"x\", 0.2]", "'std'[1] is not a number: \"x\""},
            {"input_size", "null", "'input_size' is not a JSON array of an integer"},
            {"input_size", "[3, 32.5, 32]", "'input_size'[1] is not an integer: 32.5"},
        };
        for (String[] c : cases) {
            Map<String, String> m = new LinkedHashMap<>(good);
            m.put(c[0], c[1]);
            assertThatThrownBy(() -> ModelMetadata.fromMap(m, Path.of("f.safetensors"))).as(c[0] + "=" + c[1])
                    .isInstanceOf(WeightsException.class).hasMessageStartingWith("f.safetensors: bad metadata: " + c[2]);
        }
        assertThat(ModelMetadata.fromMap(good, Path.of("f.safetensors"))).isEqualTo(ModelMetadata.defaults(ModelConfig.of("resnet20")));
    }

    @Test
    void strictLoadListsMissingUnexpectedAndMisshapedKeysAndChangesNothing() throws IOException {
        ResNet src = model("resnet20", Shortcut.A, 1);
        Map<String, TensorData> sd = ModelFiles.stateDict(src);
        sd.remove("layer3.2.bn2.running_var");
        sd.remove("fc.bias");
        sd.put("extra.weight", TensorData.f32(new float[2], 2));
        sd.put("fc.weight", TensorData.f32(new float[100 * 64], 100, 64));
        sd.put("optim.momentum.fc.bias", TensorData.f32(new float[10], 10)); // optimizer state is not a weight
        Path p = dir.resolve("bad.safetensors");
        SafeTensors.write(p, sd, ModelMetadata.defaults(src.config).toMap());

        assertThatThrownBy(() -> ModelFiles.load(p))
                .isInstanceOf(WeightsException.class)
                .hasMessage(p + ": does not fit resnet20 (shortcut A, 10 classes): 2 missing keys [layer3.2.bn2.running_var,"
                        + " fc.bias]; 1 unexpected keys [extra.weight]; 1 mis-shaped [fc.weight: expected [10, 64] found [100, 64]]");

        ResNet target = model("resnet20", Shortcut.A, 2);
        float[] before = target.parameters().get("conv1.weight").value().toArray();
        assertThatThrownBy(() -> ModelFiles.loadInto(target, SafeTensors.read(p), p, true)).isInstanceOf(WeightsException.class);
        assertThat(target.parameters().get("conv1.weight").value().toArray()).containsExactly(before);

        LoadReport r = ModelFiles.loadInto(target, SafeTensors.read(p), p, false);
        assertThat(r.missing()).containsExactly("layer3.2.bn2.running_var", "fc.bias");
        assertThat(r.unexpected()).containsExactly("extra.weight");
        assertThat(r.mismatched()).hasSize(1);
        assertThat(target.parameters().get("conv1.weight").value().toArray())
                .containsExactly(src.parameters().get("conv1.weight").value().toArray());
    }

    @Test
    void onlyALenientLoadKeepsTheInitialisationOfWhatTheFileLacks() throws IOException {
        // a strict load writes every value, so it skips the initialisation (ResNet-50: half a second)
        ResNet bare = Models.createUninitialized(ModelConfig.of("resnet20"));
        for (String k : List.of("conv1.weight", "layer3.2.conv2.weight", "fc.weight")) {
            assertThat(bare.parameters().get(k).value().toArray()).as(k).containsOnly(0f);
        }
        ResNet src = model("resnet20", Shortcut.A, 1);
        Map<String, TensorData> sd = ModelFiles.stateDict(src);
        sd.remove("fc.bias");
        Path p = dir.resolve("partial.safetensors");
        SafeTensors.write(p, sd, Map.of());
        ModelConfig config = ModelConfig.of("resnet20").withShortcut(Shortcut.A).withSeed(5);
        assertThatThrownBy(() -> ModelFiles.load(p, config, true)).isInstanceOf(WeightsException.class);

        ModelFiles.Loaded l = ModelFiles.load(p, config, false);
        assertThat(l.report().missing()).containsExactly("fc.bias");
        assertThat(l.model().parameters().get("fc.bias").value().toArray())
                .containsExactly(Models.create(config).parameters().get("fc.bias").value().toArray())
                .isNotEqualTo(new float[10]);
        assertThat(l.model().parameters().get("fc.weight").value().toArray())
                .containsExactly(src.parameters().get("fc.weight").value().toArray());
    }

    @Test
    void acceptsCommonPyTorchCifarCheckpointNames() throws IOException {
        ResNet src = model("resnet20", Shortcut.B, 4);
        Map<String, TensorData> renamed = new LinkedHashMap<>();
        for (var e : ModelFiles.stateDict(src).entrySet()) {
            String k = e.getKey().replace("downsample.", "shortcut.");
            if (k.startsWith("fc.")) k = "linear." + k.substring(3);
            renamed.put("module." + k, e.getValue());
        }
        Path p = dir.resolve("pytorch.safetensors");
        SafeTensors.write(p, renamed, Map.of()); // a plain PyTorch export: no metadata

        ModelFiles.Loaded inferred = ModelFiles.load(p);   // no metadata: the model is inferred from keys and shapes
        assertThat(inferred.model().config.name()).isEqualTo("resnet20");
        assertThat(inferred.model().config.shortcut()).isEqualTo(Shortcut.B);
        assertThat(inferred.model().config.numClasses()).isEqualTo(10);
        ModelFiles.Loaded l = ModelFiles.load(p, src.config, true);
        assertThat(l.report().renamed()).contains("module.linear.weight -> fc.weight",
                "module.layer2.0.shortcut.0.weight -> layer2.0.downsample.0.weight", "module.conv1.weight -> conv1.weight");
        assertThat(l.model().parameters().get("layer3.0.downsample.1.bias").value().toArray())
                .containsExactly(src.parameters().get("layer3.0.downsample.1.bias").value().toArray());
        assertThat(l.metadata().classes()).isEqualTo(ModelMetadata.CIFAR10_CLASSES);
    }

    @Test
    void twoKeysForOneTensorIsAnError() throws IOException {
        ResNet src = model("resnet20", Shortcut.A, 1);
        Map<String, TensorData> sd = ModelFiles.stateDict(src);
        sd.put("linear.bias", sd.get("fc.bias"));
        Path p = dir.resolve("dup.safetensors");
        SafeTensors.write(p, sd, Map.of());
        assertThatThrownBy(() -> ModelFiles.load(p, src.config, false))
                .hasMessage(p + ": keys 'fc.bias' and 'linear.bias' both give 'fc.bias'");
    }

    @Test
    void keyNormalisation() {
        assertThat(StateDictKeys.normalise("module.module.fc.weight")).contains("fc.weight");
        assertThat(StateDictKeys.normalise("linear.bias")).contains("fc.bias");
        assertThat(StateDictKeys.normalise("layer1.0.shortcut.1.running_mean")).contains("layer1.0.downsample.1.running_mean");
        assertThat(StateDictKeys.normalise("layer1.0.conv1.weight")).isEmpty();
        assertThat(StateDictKeys.normalise("features.linear.weight")).isEmpty();
    }

    /** A null class name (an API caller's list) is said as one, not a bare NullPointerException from List.copyOf. */
    @Test
    void aNullClassNameIsNamed() {
        ModelMetadata m = ModelMetadata.defaults(ModelConfig.of("resnet20"));
        List<String> names = new ArrayList<>(m.classes());
        names.set(3, null);
        assertThatThrownBy(() -> m.withClasses(names)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("class name 3 is null");
    }
}
