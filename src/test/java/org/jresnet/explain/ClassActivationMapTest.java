package org.jresnet.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ClassActivationMapTest {
    private static Tensor randomImages(int n, int h, int w, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * h * w * 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return Tensor.of(x, n, h, w, 3);
    }

    @Test void headOfLastStageIsInferBitForBitAlsoInChunks() {
        ResNet model = Models.create("resnet20");
        model.setTraining(false);
        Tensor x = randomImages(40, 32, 32, 1);         // more than one inference chunk on 2 threads
        float[] want = model.infer(x).toArray();
        Tensor a = model.lastStage(x);
        assertThat(a.shape()).containsExactly(40, 8, 8, 64);
        assertThat(model.head(a).toArray()).containsExactly(want);
        List<ClassActivationMap> maps = ClassActivationMap.compute(model, x, new int[40]);
        for (int i = 0; i < 40; i++) {
            float[] logits = java.util.Arrays.copyOfRange(want, i * 10, (i + 1) * 10);
            assertThat(maps.get(i).logits()).containsExactly(logits);
        }
    }

    @Test void lastStageRefusesTrainingMode() {
        ResNet model = Models.create("resnet20");
        assertThatThrownBy(() -> model.lastStage(randomImages(1, 32, 32, 2))).hasMessageContaining("setTraining(false)");
    }

    @Test void closedFormIsTheFcWeightedSumOfChannelsThroughReLU() {
        ResNet model = Models.create("resnet20");
        model.setTraining(false);
        Tensor x = randomImages(1, 32, 32, 3);
        int c = 7;
        ClassActivationMap m = ClassActivationMap.compute(model, x, c).get(0);
        Tensor a = model.lastStage(x);
        float[] w = model.fc.weight.value().toArray();
        for (int p = 0; p < 64; p++) {
            double s = 0;
            for (int k = 0; k < 64; k++) s += w[c * 64 + k] * a.get(p * 64 + k);
            assertThat((double) m.lowRes()[p]).isCloseTo(Math.max(0, s), org.assertj.core.api.Assertions.within(1e-5));
        }
        float max = 0, min = 1;
        for (float v : m.map()) {
            max = Math.max(max, v);
            min = Math.min(min, v);
        }
        assertThat(min).isZero();
        assertThat(max).isEqualTo(1f);
    }

    @Test void topOneIsTheLargestLogitAndIndicesAreChecked() {
        ResNet model = Models.create("resnet20");
        model.setTraining(false);
        Tensor x = randomImages(1, 32, 32, 4);
        ClassActivationMap m = ClassActivationMap.compute(model, x, ClassActivationMap.TOP1).get(0);
        for (float l : m.logits()) assertThat(l).isLessThanOrEqualTo(m.logits()[m.classIndex()]);
        assertThatThrownBy(() -> ClassActivationMap.compute(model, x, 10)).hasMessageContaining("out of range 0..9");
    }

    @Test void normaliseIsMinMaxAndLeavesAConstantMapAtZero() {
        assertThat(ClassActivationMap.normalise(new float[] {2, 4, 3})).containsExactly(0f, 1f, 0.5f);
        assertThat(ClassActivationMap.normalise(new float[] {0, 0, 0})).containsExactly(0f, 0f, 0f);
        assertThat(ClassActivationMap.normalise(new float[] {5, 5})).containsExactly(0f, 0f);
    }

    @Test void jetRunsFromDarkBlueToDarkRed() {
        assertThat(Colormap.jet(0)).containsExactly(0, 0, 0.5);
        assertThat(Colormap.jet(1)).containsExactly(0.5, 0, 0);
        assertThat(Colormap.jet(0.5)[1]).isEqualTo(1.0);    // green at the middle
        assertThat(Colormap.jet(Double.NaN)).containsExactly(0, 0, 0.5);
    }
}
