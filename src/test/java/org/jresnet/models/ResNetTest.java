package org.jresnet.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.jresnet.nn.BasicBlock;
import org.jresnet.nn.Bottleneck;
import org.jresnet.nn.Parameter;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.nn.ShortcutA;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResNetTest {

    private static Tensor image(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, (float) (r.nextDouble() * 2 - 1));
        return t;
    }

    @ParameterizedTest
    @CsvSource({"resnet18,224,1814073344", "resnet34,224,3663761408", "resnet50,224,4089184256",
            "resnet101,224,7801405440", "resnet152,224,11513626624", "resnet20,32,40551040",
            "resnet56,32,125485696", "resnet110,32,252887680"})
    void multiplyAddsPerImage(String name, int size, long expected) {
        assertThat(Models.create(name).macs(new int[] {1, size, size, 3})).isEqualTo(expected);
    }

    @Test
    void cifarStructure() {
        ResNet m = Models.create("resnet20");
        assertThat(m.blocks()).hasSize(9).allMatch(b -> b instanceof BasicBlock);
        assertThat(m.maxpool).isNull();
        assertThat(m.blocks().get(3).shortcut()).isInstanceOf(ShortcutA.class);   // layer2.0
        assertThat(m.blocks().get(4).shortcut()).isNull();                         // identity
        var stages = m.summary(new int[] {1, 32, 32, 3});
        assertThat(stages.get(1).outputShape()).containsExactly(1, 32, 32, 16);
        assertThat(stages.get(2).outputShape()).containsExactly(1, 16, 16, 32);
        assertThat(stages.get(3).outputShape()).containsExactly(1, 8, 8, 64);
        assertThat(Models.create("resnet110").blocks()).hasSize(54);
    }

    @Test
    void bottleneckStridePlacement() {
        ResNet v15 = Models.create("resnet50");
        ResNet v1 = Models.create(ModelConfig.of("resnet50").withStrideOn3x3(false));
        Bottleneck a = (Bottleneck) v15.blocks().get(3), b = (Bottleneck) v1.blocks().get(3);  // layer2.0
        assertThat(a.conv1.stride).isEqualTo(1);
        assertThat(a.conv2.stride).isEqualTo(2);
        assertThat(b.conv1.stride).isEqualTo(2);
        assertThat(b.conv2.stride).isEqualTo(1);
        assertThat(v1.macs(new int[] {1, 224, 224, 3})).isLessThan(v15.macs(new int[] {1, 224, 224, 3}));
    }

    @Test
    void initialisationIsTorchvisionsAndSeeded() {
        ResNet a = Models.create(ModelConfig.of("resnet20").withSeed(7));
        ResNet b = Models.create(ModelConfig.of("resnet20").withSeed(7));
        ResNet c = Models.create(ModelConfig.of("resnet20").withSeed(8));
        for (var e : a.parameters().entrySet()) {
            assertThat(b.parameters().get(e.getKey()).value().toArray()).containsExactly(e.getValue().value().toArray());
        }
        assertThat(c.parameters().get("conv1.weight").value().toArray())
                .isNotEqualTo(a.parameters().get("conv1.weight").value().toArray());
        // Kaiming normal, fan_out: layer3 conv std = sqrt(2 / (64 * 9)).
        float[] w = a.parameters().get("layer3.1.conv1.weight").value().toArray();
        double mean = 0, sq = 0;
        for (float v : w) { mean += v; sq += v * v; }
        mean /= w.length;
        double std = Math.sqrt(sq / w.length - mean * mean);
        assertThat(std).isBetween(0.95 * Math.sqrt(2.0 / 576), 1.05 * Math.sqrt(2.0 / 576));
        assertThat(a.parameters().get("layer1.0.bn1.weight").value().toArray()).containsOnly(1f);
        assertThat(a.parameters().get("layer1.0.bn1.bias").value().toArray()).containsOnly(0f);
        // fc: U(-1/sqrt(64), 1/sqrt(64)).
        for (float v : a.parameters().get("fc.weight").value().toArray()) assertThat(Math.abs(v)).isLessThanOrEqualTo(0.125f);
        for (float v : a.parameters().get("fc.bias").value().toArray()) assertThat(Math.abs(v)).isLessThanOrEqualTo(0.125f);
    }

    @Test
    void zeroInitResidualZeroesTheLastGammaOfEachBlock() {
        ResNet m = Models.create(ModelConfig.of("resnet50").withZeroInitResidual(true));
        for (ResidualBlock b : m.blocks()) assertThat(b.lastBn().weight.value().toArray()).containsOnly(0f);
        assertThat(m.parameters().get("layer1.0.bn2.weight").value().toArray()).containsOnly(1f);
        assertThat(m.parameters().get("layer1.0.downsample.1.weight").value().toArray()).containsOnly(1f);
    }

    @Test
    void trainStepRunsAndFeaturesArePooled() {
        ResNet m = Models.create("resnet20");
        Tensor x = image(1, 4, 16, 16, 3);
        Tensor logits = m.forward(x);
        assertThat(logits.shape()).containsExactly(4, 10);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        float loss = ce.forward(logits, new int[] {0, 1, 2, 3});
        assertThat(loss).isBetween(0.5f, 10f);
        m.zeroGrad();
        assertThat(m.backward(ce.backward())).as("no image gradient unless asked for").isNull();
        for (Parameter p : m.parameters().values()) {
            float s = 0;
            for (float v : p.grad().toArray()) s += Math.abs(v);
            assertThat(s).isPositive();
        }
        Tensor f = m.features(x);
        assertThat(f.shape()).containsExactly(4, 64);
        assertThat(m.buffers().get("layer3.2.bn2.num_batches_tracked").value().get(0)).isEqualTo(2f);
    }

    @Test
    void imagenetForwardShape() {
        ResNet m = Models.create(ModelConfig.of("resnet18").withNumClasses(5));
        m.setTraining(false);
        assertThat(m.forward(image(2, 1, 32, 32, 3)).shape()).containsExactly(1, 5);
        assertThat(m.featureSize()).isEqualTo(512);
        assertThat(Models.create("resnet50").featureSize()).isEqualTo(2048);
    }

    /** The image gradient is off by default (training needs none) and changes no other gradient when on. */
    @ParameterizedTest
    @CsvSource({"resnet20,8", "resnet18,32"})
    void inputGradientIsOptionalAndChangesNothingElse(String name, int size) {
        Tensor x = image(3, 2, size, size, 3);
        float[][] grads = new float[2][];
        for (int on = 0; on < 2; on++) {
            ResNet m = Models.create(ModelConfig.of(name).withNumClasses(4));
            m.setInputGradient(on == 1);
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
            ce.forward(m.forward(x), new int[] {1, 3});
            Tensor dx = m.backward(ce.backward());
            if (on == 1) assertThat(dx.shape()).containsExactly(2, size, size, 3);
            else assertThat(dx).isNull();
            grads[on] = m.parameters().values().stream().map(p -> p.grad().toArray())
                    .reduce(new float[0], ResNetTest::concat);
        }
        assertThat(java.util.Arrays.mismatch(grads[0], grads[1])).isEqualTo(-1);
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
