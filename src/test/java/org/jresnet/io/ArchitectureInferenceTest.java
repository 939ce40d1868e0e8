package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.nn.Shortcut;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model read off a state dict's keys and shapes, what stays ambiguous, and pre-0.4.1 BN counters. */
class ArchitectureInferenceTest {
    @TempDir Path tmp;

    private static Map<String, TensorData> stateDictOf(ModelConfig c) {
        return ModelFiles.stateDict(Models.create(c));
    }

    @Test void infersEveryKindFromKeysAndShapes() throws Exception {
        ModelConfig[] cases = {ModelConfig.of("resnet20"), ModelConfig.of("resnet20").withShortcut(Shortcut.B),
            ModelConfig.of("resnet32").withShortcut(Shortcut.C).withNumClasses(100), ModelConfig.of("resnet18"),
            ModelConfig.of("resnet50").withNumClasses(7), ModelConfig.of("resnet34").withShortcut(Shortcut.C)};
        for (ModelConfig c : cases) {
            var inf = ArchitectureInference.infer(stateDictOf(c));
            assertThat(inf.config().name()).isEqualTo(c.name());
            assertThat(inf.config().shortcut()).isEqualTo(c.shortcut());
            assertThat(inf.config().numClasses()).isEqualTo(c.numClasses());
            assertThat(inf.description()).startsWith("inferred " + c.name());
        }
        assertThat(ArchitectureInference.infer(stateDictOf(ModelConfig.of("resnet20"))).description())
                .contains("plain20 has the same keys");
    }

    @Test void commonCheckpointNamesAreUnderstood() throws Exception {
        Map<String, TensorData> dp = new LinkedHashMap<>();
        stateDictOf(ModelConfig.of("resnet56")).forEach((k, v) -> dp.put("module." + k.replace("fc.", "linear."), v));
        assertThat(ArchitectureInference.infer(dp).config().name()).isEqualTo("resnet56");
    }

    @Test void ambiguousOrUnknownAsksForTheModel() {
        Map<String, TensorData> plain18 = stateDictOf(ModelConfig.of("plain18"));
        assertThatThrownBy(() -> ArchitectureInference.infer(plain18)).isInstanceOf(ArchitectureInference.Ambiguous.class)
                .hasMessageContaining("say which with --model");
        Map<String, TensorData> odd = new LinkedHashMap<>(stateDictOf(ModelConfig.of("resnet20")));
        odd.keySet().removeIf(k -> k.startsWith("layer3.2."));
        assertThatThrownBy(() -> ArchitectureInference.infer(odd)).hasMessageContaining("no registered ResNet");
        assertThatThrownBy(() -> ArchitectureInference.infer(Map.of())).hasMessageContaining("conv1.weight");
    }

    /** A Wide ResNet's (or ResNeXt's) first bottleneck is wider than ResNet-50's: no model name can help. */
    @Test void aWiderVariantIsNotOneOfOursAndDoesNotAskForAModel() {
        Map<String, TensorData> wide = new LinkedHashMap<>(stateDictOf(ModelConfig.of("resnet20")));
        wide.put("layer1.0.conv1.weight", TensorData.f32(new float[32 * 16 * 9], 32, 16, 3, 3));
        assertThatThrownBy(() -> ArchitectureInference.infer(wide)).isInstanceOfSatisfying(ArchitectureInference.Ambiguous.class,
                e -> {
                    assertThat(e.noneFits()).isTrue();
                    assertThat(e.advice("say which network it is with --model")).contains("Wide ResNet or ResNeXt")
                            .doesNotContain("--model");
                });
    }

    @Test void safetensorsWithoutNumBatchesTrackedLoadWithCountersAtZero() throws Exception {
        Map<String, TensorData> sd = new LinkedHashMap<>(stateDictOf(ModelConfig.of("resnet20")));
        sd.keySet().removeIf(k -> k.endsWith("num_batches_tracked"));
        Path f = tmp.resolve("old.safetensors");
        SafeTensors.write(f, sd, Map.of());
        ModelFiles.Loaded l = ModelFiles.load(f);
        assertThat(l.report().complete()).isTrue();
        assertThat(l.report().filled()).hasSize(19).allMatch(k -> k.endsWith(".num_batches_tracked"));
        // A counter missing where its BN's statistics are missing too is still an error.
        sd.keySet().removeIf(k -> k.startsWith("bn1."));
        SafeTensors.write(f, sd, Map.of());
        assertThatThrownBy(() -> ModelFiles.load(f)).isInstanceOf(WeightsException.class).hasMessageContaining("missing keys");
    }
}
