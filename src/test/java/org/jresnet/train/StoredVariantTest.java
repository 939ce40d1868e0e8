package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.jresnet.io.Normalization;
import org.junit.jupiter.api.Test;

/** The bottleneck variant a run was defined with survives its checkpoint; runs without one store nothing new. */
class StoredVariantTest {
    private static TrainConfig config(String model, String variant) {
        return new TrainConfig(
                new TrainConfig.Model(model, null, null, 0, false, false, variant),
                new TrainConfig.Data(Path.of("/data/x.zip"), 0, Normalization.UNIT, false, null),
                new TrainConfig.Optimizer(0.9, 1e-4, false, 0),
                new TrainConfig.Schedule(LrSchedule.Kind.COSINE, 0.1, null, 0.1, 200, 0, 0, null),
                new TrainConfig.Run(Path.of("/runs/x"), 2, 16, 1, 0, 1, 2, 1));
    }

    @Test void storedReadBackAndOmittedWithout() throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        for (String v : new String[] {null, "v1", "v1.5"}) {
            TrainConfig cfg = config("resnet50", v);
            String text = json.writeValueAsString(StoredTrainConfig.of(cfg));
            JsonNode j = json.readTree(text);
            assertThat(j.has("variant")).as(text).isEqualTo(v != null);
            assertThat(json.readValue(text, StoredTrainConfig.class).toConfig()).isEqualTo(cfg);
        }
    }

    @Test void spelledAsMetadataSpellsIt() {
        assertThat(config("resnet50", "V1").model().variant()).isEqualTo("v1");
        assertThat(config("resnet50", " v1.5 ").model().variant()).isEqualTo("v1.5");
    }

    @Test void valuesAreChecked() {
        assertThatThrownBy(() -> config("resnet50", "v2")).hasMessage("variant must be v1.5 or v1, got 'v2'");
        assertThatThrownBy(() -> config("resnet18", "v1")).hasMessageStartingWith("variant v1 places a bottleneck's stride;");
        assertThat(config("resnet18", "v1.5").model().variant()).isEqualTo("v1.5");
    }
}
