package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jresnet.io.Normalization;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamedSkipBadTest {
    @TempDir Path tmp;

    @Test void corruptStreamedImageFailsNamedOrIsReplacedByTheNextOne() throws Exception {
        Path root = tmp.resolve("ds");
        TestImages.writeTree(root, Map.of("a/1.png", TestImages.png(TestImages.pattern(3, 3, 1)),
                "a/2.jpg", TestImages.corruptJpeg(),
                "b/3.png", TestImages.png(TestImages.pattern(5, 4, 3))));
        Transform t = new ResizeCenterCrop(Normalization.UNIT, 3, 3);
        int[] order = {0, 1, 2};
        LoadOptions stream = TestImages.quiet(tmp).withMode(LoadOptions.Mode.STREAM);
        try (Dataset ds = Datasets.open(root, Split.TRAIN, stream);
             BatchLoader l = new BatchLoader(ds, t, e -> order, 3, false, 0, 2)) {
            assertThatThrownBy(() -> l.batch(0, 0)).isInstanceOf(BadImageException.class).hasMessageContaining("a/2.jpg");
        }
        try (Dataset ds = Datasets.open(root, Split.TRAIN, stream.withSkipBad(true));
             BatchLoader l = new BatchLoader(ds, t, e -> order, 3, false, 0, 2)) {
            Batch b = l.batch(0, 0);
            assertThat(b.indices()).containsExactly(0, 2, 2);
            assertThat(b.labels()).containsExactly(0, 1, 1);
            assertThat(l.skippedImages()).isEqualTo(1);
            float[] x = b.images().toArray();
            for (int k = 0; k < 27; k++) assertThat(x[27 + k]).isEqualTo(x[54 + k]);
        }
    }
}
