package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.io.Normalization;
import org.junit.jupiter.api.Test;

class TransformsTest {
    @Test void applyToImageRunsTheSameArithmeticAsForADataset() {
        RgbImage img = TestImages.pattern(40, 30, 7);
        ResizeCenterCrop t = new ResizeCenterCrop(Normalization.IMAGENET, 32, 32);
        float[] out = new float[32 * 32 * 3];
        Transforms.applyToImage(t, img, out, 0);
        RgbImage u8 = t.preprocess(img);
        assertThat(u8.width()).isEqualTo(32);
        for (int k = 0; k < out.length; k++) assertThat(out[k]).isEqualTo(Normalization.IMAGENET.apply(k % 3, u8.pixels()[k] & 0xFF));
    }

    @Test void randomResizedCropIsDeterministicPerGeneratorAndFlipMirrors() {
        RgbImage img = TestImages.pattern(50, 40, 3);
        RgbImage f = RandomResizedCropFlip.flip(img);
        assertThat(f.get(0, 5, 1)).isEqualTo(img.get(49, 5, 1));
        RandomResizedCropFlip t = new RandomResizedCropFlip(Normalization.UNIT, 16);
        float[] a = new float[16 * 16 * 3], b = new float[16 * 16 * 3];
        Transforms.applyToImage(t, img, a, 0);
        Transforms.applyToImage(t, img, b, 0);
        assertThat(a).isEqualTo(b);
    }
}
