package org.jresnet.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jresnet.data.InMemoryDataset;
import org.jresnet.io.Normalization;
import org.jresnet.data.PadCropFlip;
import org.jresnet.data.RandomResizedCropFlip;
import org.jresnet.data.ResizeCenterCrop;
import org.junit.jupiter.api.Test;

class PreprocessingTest {
    private static InMemoryDataset of(int side) {
        return new InMemoryDataset(new byte[side * side * 3], new int[] {0}, new String[] {"x"}, List.of("a"),
                side, side, 0, false, "t");
    }

    @Test void dataAtTheModelsSizeGetsThePaperRecipeOtherDataTorchvisionsResizeAndCrop() {
        assertThat(Preprocessing.training(of(32), Normalization.UNIT, 32)).isInstanceOf(PadCropFlip.class);
        assertThat(Preprocessing.evaluation(of(32), Normalization.UNIT, 32)).isInstanceOf(PadCropFlip.class);
        assertThat(Preprocessing.training(of(96), Normalization.UNIT, 224)).isInstanceOf(RandomResizedCropFlip.class);
        ResizeCenterCrop eval224 = (ResizeCenterCrop) Preprocessing.evaluation(of(96), Normalization.UNIT, 224);
        assertThat(eval224.height()).isEqualTo(224);
        // Resize(256) + CenterCrop(224): a 300x300 image becomes 256x256, then 224x224.
        assertThat(eval224.preprocess(new org.jresnet.data.RgbImage(300, 300, new byte[300 * 300 * 3])).width()).isEqualTo(224);
        // A CIFAR model given a 64x64 image: resize to 32, crop 32.
        ResizeCenterCrop small = (ResizeCenterCrop) Preprocessing.evaluation(of(64), Normalization.UNIT, 32);
        assertThat(small.height()).isEqualTo(32);
    }
}
