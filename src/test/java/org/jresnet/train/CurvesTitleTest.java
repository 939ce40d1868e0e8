package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** curves.png names the model and the data it learns, not the run folder. */
class CurvesTitleTest {
    @Test
    void theDataIsNamedByItsFileOrFolder() {
        assertThat(Trainer.dataName(Path.of("/repo/data/cifar10-sample.zip"))).isEqualTo("cifar10-sample");
        assertThat(Trainer.dataName(Path.of("/datasets/cifar-10-batches-bin"))).isEqualTo("cifar-10-batches-bin");
        assertThat(Trainer.dataName(Path.of("/d/Imagenette.ZIP"))).isEqualTo("Imagenette");
    }
}
