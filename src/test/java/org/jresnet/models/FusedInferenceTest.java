package org.jresnet.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.jresnet.engine.TestEngines;
import org.jresnet.nn.BatchNorm2d;
import org.jresnet.nn.Layer;
import org.jresnet.nn.Shortcut;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Eval-mode forwards with every BN (and each block's add and ReLU) fused into its convolution's
 * stores give the unfused forward's logits bit for bit, on every block and shortcut kind, on the
 * SIMD kernels and on their scalar twins; a backward after a fused forward fails clearly.
 */
class FusedInferenceTest {
    @AfterEach void restore() { TestEngines.reset(); }

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, (float) (r.nextDouble() * 2 - 1));
        return t;
    }

    /** A model whose BNs are not the identity: random gamma, beta and running statistics. */
    private static ResNet model(ModelConfig config) {
        ResNet m = Models.create(config);
        SplittableRandom r = new SplittableRandom(11);
        for (Layer l : m.modules().values()) {
            if (l instanceof BatchNorm2d bn) {
                for (int c = 0; c < bn.channels; c++) {
                    bn.weight.value().set(c, (float) (0.5 + r.nextDouble()));
                    bn.bias.value().set(c, (float) (r.nextDouble() - 0.5));
                    bn.runningMean.value().set(c, (float) (r.nextDouble() - 0.5) * 0.2f);
                    bn.runningVar.value().set(c, (float) (0.5 + r.nextDouble()));
                }
            }
        }
        m.setTraining(false);
        return m;
    }

    @ParameterizedTest(name = "{0} shortcut {1} {2}px simd {3}")
    @CsvSource({"resnet20,A,8,true", "resnet20,B,8,true", "resnet20,C,8,false", "plain20,NONE,8,true",
            "resnet18,B,32,true", "resnet50,B,32,true", "resnet50,B,32,false"})
    void fusedEqualsUnfused(String name, Shortcut shortcut, int size, boolean simd) {
        ResNet m = model(ModelConfig.of(name).withShortcut(shortcut).withNumClasses(7));
        Tensor x = random(5, 2, size, size, 3);
        TestEngines.use(c -> c.withSimd(simd));
        float[] want = m.forward(x).toArray();
        float[] got = m.infer(x).toArray();
        assertThat(got).isEqualTo(want);
        assertThat(m.inferFeatures(x).toArray()).isEqualTo(m.features(x).toArray());
        assertThat(m.blocks().get(0).lastBn().fusesIntoConv()).as("fusion lasts one pass").isFalse();
    }

    /**
     * A batch larger than a chunk of 32x32 images runs in chunks (32 on two threads, then the
     * rest) with the whole batch's logits and features bit for bit; ImageNet-sized images are
     * never chunked.
     */
    @Test
    void chunkedInferenceEqualsTheWholeBatch() {
        TestEngines.use(c -> c.withThreads(2));
        ResNet m = model(ModelConfig.of("resnet20").withNumClasses(10));
        Tensor x = random(8, 35, 32, 32, 3);
        assertThat(m.inferenceChunk(x.shape())).isEqualTo(32);
        float[] want = m.forward(x).toArray();
        float[] wantFeatures = m.features(x).toArray();
        assertThat(m.infer(x).toArray()).isEqualTo(want);
        assertThat(m.inferFeatures(x).toArray()).isEqualTo(wantFeatures);
        assertThat(m.infer(random(9, 3, 32, 32, 3)).shape()).containsExactly(3, 10);
        assertThat(m.infer(x).toArray()).as("after a smaller batch").isEqualTo(want);
        ResNet big = Models.create(ModelConfig.of("resnet50"));
        assertThat(big.inferenceChunk(new int[] {64, 224, 224, 3})).isEqualTo(64);
        TestEngines.use(c -> c.withThreads(1));
        assertThat(m.inferenceChunk(x.shape())).as("a chunk's activations scale with the threads' caches").isEqualTo(16);
    }

    /** The fused pass really runs: a backward after it has nothing to work with, and says so. */
    @Test
    void backwardNeedsForwardNotInfer() {
        ResNet m = model(ModelConfig.of("resnet20").withNumClasses(4));
        Tensor x = random(6, 2, 8, 8, 3);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        ce.forward(m.infer(x), new int[] {1, 3});
        assertThatThrownBy(() -> m.backward(ce.backward())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("inference forward");

        ce.forward(m.forward(x), new int[] {1, 3});      // eval mode with a backward: frozen statistics, saliency
        m.setInputGradient(true);
        assertThat(m.backward(ce.backward()).shape()).containsExactly(2, 8, 8, 3);
    }

    /** With the engine's switch off ({@code -Djresnet.fuse=false}), infer runs the layers one by one. */
    @Test
    void engineSwitchTurnsFusionOff() {
        ResNet m = model(ModelConfig.of("resnet20").withNumClasses(4));
        Tensor x = random(7, 2, 8, 8, 3);
        TestEngines.use(c -> c.withFusedInference(false));
        float[] want = m.forward(x).toArray();
        assertThat(m.infer(x).toArray()).isEqualTo(want);
        SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
        ce.forward(m.infer(x), new int[] {1, 3});
        m.backward(ce.backward());      // nothing was fused, so the backward has what it needs
    }
}
