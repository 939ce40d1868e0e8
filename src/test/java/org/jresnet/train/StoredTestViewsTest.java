package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.jresnet.io.Normalization;
import org.junit.jupiter.api.Test;

/** The test views a run was defined with survive its checkpoint; runs without them store nothing new. */
class StoredTestViewsTest {
    private static TrainConfig config(boolean flip, boolean translate) {
        return new TrainConfig(
                new TrainConfig.Model("resnet20", null, null, 0, false, false),
                new TrainConfig.Data(Path.of("/data/cifar.zip"), 0, Normalization.UNIT, false, null, flip, translate),
                new TrainConfig.Optimizer(0.9, 1e-4, false, 0),
                new TrainConfig.Schedule(LrSchedule.Kind.COSINE, 0.1, null, 0.1, 200, 0, 0, null),
                new TrainConfig.Run(Path.of("/runs/x"), 15, 128, 1, 0, 1, 2, 15));
    }

    @Test void translateIsStoredReadBackAndOmittedWhenOff() throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        for (boolean flip : new boolean[] {false, true}) {
            for (boolean translate : new boolean[] {false, true}) {
                TrainConfig c = config(flip, translate);
                String text = json.writeValueAsString(StoredTrainConfig.of(c));
                JsonNode j = json.readTree(text);
                assertThat(j.has("ttaTranslate")).as(text).isEqualTo(translate);
                TrainConfig back = json.readValue(text, StoredTrainConfig.class).toConfig();
                assertThat(back).isEqualTo(c);
                assertThat(back.data().testViews()).isEqualTo(new TestViews(flip, translate));
            }
        }
    }
}
