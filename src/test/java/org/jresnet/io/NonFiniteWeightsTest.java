package org.jresnet.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights with NaN or infinite values are neither written nor loaded (issue 12, defects 2 and 9). */
class NonFiniteWeightsTest {
    @TempDir Path dir;

    @Test void aModelWithANonFiniteValueIsNotWrittenAndTheOldFileStays() throws Exception {
        ResNet m = Models.create(ModelConfig.of("resnet20").withSeed(1));
        ModelMetadata meta = ModelMetadata.defaults(m.config);
        Path p = dir.resolve("m.safetensors");
        ModelFiles.save(p, m, meta);
        byte[] before = Files.readAllBytes(p);
        m.buffers().get("layer3.2.bn2.running_var").value().set(4, Float.POSITIVE_INFINITY);
        assertThatThrownBy(() -> ModelFiles.save(p, m, meta)).isInstanceOf(NonFiniteWeightsException.class)
                .hasMessage(p + " not written: 1 NaN/infinite value in 1 tensor (layer3.2.bn2.running_var: 1)");
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
        m.buffers().get("layer3.2.bn2.running_var").value().set(4, 1f);
        float[] momentum = new float[16];
        momentum[3] = Float.NaN;
        assertThatThrownBy(() -> ModelFiles.save(p, m, meta, Map.of("optim.momentum.bn1.weight",
                TensorData.f32(momentum, 16)), Map.of())).isInstanceOf(NonFiniteWeightsException.class)
                .hasMessageContaining("optim.momentum.bn1.weight: 1");
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
    }

    @Test void aFileWithNonFiniteWeightsIsRefusedAndTheModelLeftAsItWas() throws Exception {
        ResNet m = Models.create(ModelConfig.of("resnet20").withSeed(1));
        Map<String, TensorData> sd = new LinkedHashMap<>(ModelFiles.stateDict(m));
        float[] w = sd.get("conv1.weight").floats().clone();
        for (int i = 0; i < 5; i++) w[i] = Float.NaN;
        sd.put("conv1.weight", TensorData.f32(w, sd.get("conv1.weight").shape()));
        float[] v = sd.get("fc.bias").floats().clone();
        v[0] = Float.NEGATIVE_INFINITY;
        sd.put("fc.bias", TensorData.f32(v, sd.get("fc.bias").shape()));
        Path p = dir.resolve("broken.safetensors");
        SafeTensors.write(p, sd, ModelMetadata.defaults(m.config).toMap());

        assertThatThrownBy(() -> ModelFiles.load(p)).isInstanceOf(NonFiniteWeightsException.class)
                .hasMessage(p + ": 6 NaN/infinite values in 2 tensors (conv1.weight: 5, fc.bias: 1): broken weights"
                        + " (from a diverged training?)");
        ResNet target = Models.create(ModelConfig.of("resnet20").withSeed(2));
        float[] was = target.parameters().get("layer1.0.conv1.weight").value().toArray();
        assertThatThrownBy(() -> ModelFiles.loadInto(target, SafeTensors.read(p), p, false))
                .isInstanceOf(NonFiniteWeightsException.class);
        assertThat(target.parameters().get("layer1.0.conv1.weight").value().toArray()).containsExactly(was);
    }
}
