package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.jresnet.io.Normalization;
import org.junit.jupiter.api.Test;

/** The smaller training crops a run was defined with survive its checkpoint; runs without them store nothing new. */
class StoredCropEpochsTest {
    private static TrainConfig config(int cropEpochs, int cropSize) {
        return new TrainConfig(
                new TrainConfig.Model("resnet20", null, null, 0, false, false),
                new TrainConfig.Data(Path.of("/data/cifar.zip"), 0, Normalization.UNIT, false, null, true, true,
                        cropEpochs, cropSize),
                new TrainConfig.Optimizer(0.9, 1e-4, false, 0),
                new TrainConfig.Schedule(LrSchedule.Kind.COSINE, 0.1, null, 0.1, 200, 0, 0, null),
                new TrainConfig.Run(Path.of("/runs/x"), 18, 128, 1, 0, 1, 2, 18));
    }

    @Test void storedReadBackAndOmittedWhenOff() throws Exception {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        for (int[] c : new int[][] {{0, 0}, {9, 24}}) {
            TrainConfig cfg = config(c[0], c[1]);
            String text = json.writeValueAsString(StoredTrainConfig.of(cfg));
            JsonNode j = json.readTree(text);
            assertThat(j.has("cropEpochs")).as(text).isEqualTo(c[0] > 0);
            assertThat(j.has("cropSize")).as(text).isEqualTo(c[0] > 0);
            assertThat(json.readValue(text, StoredTrainConfig.class).toConfig()).isEqualTo(cfg);
        }
    }

    @Test void anotherCopyOfTheDataKeepsEveryOtherField() {
        TrainConfig.Data d = config(9, 24).data();
        TrainConfig.Data moved = d.withPath(Path.of("/local/copy.zip"));
        assertThat(moved.path()).isEqualTo(Path.of("/local/copy.zip"));
        assertThat(moved).isEqualTo(new TrainConfig.Data(Path.of("/local/copy.zip"), d.val(), d.normalization(), d.skipBad(),
                d.cacheDir(), d.ttaFlip(), d.ttaTranslate(), d.cropEpochs(), d.cropSize()));
    }

    @Test void valuesAreChecked() {
        assertThatThrownBy(() -> config(-1, 24)).hasMessage("cropEpochs must be >= 0, got -1");
        assertThatThrownBy(() -> config(3, 0)).hasMessage("cropSize must be >= 1, got 0");
        assertThatThrownBy(() -> config(0, 24)).hasMessageStartingWith("cropSize applies only with cropEpochs > 0");
    }
}
