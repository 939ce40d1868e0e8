package org.jresnet.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jresnet.kernel.PackedWeightCache;
import org.jresnet.nn.Buffer;
import org.jresnet.nn.HeldFloats;
import org.jresnet.nn.Parameter;
import org.jresnet.nn.SoftmaxCrossEntropy;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A network that only infers holds its weights, what its convolutions derived from them, and the
 * activations of one pass in a few shared slots: not an output buffer per layer (every activation
 * of the pass at once: a ResNet-50 at batch 16 held 364 MB of them), nor the caller's images.
 */
class InferenceMemoryTest {
    /** Longer than any per-channel or per-class vector of these nets (2048 channels; 2 x 1000 logits). */
    private static final int ACTIVATION_SIZED = 2048;

    private static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, (float) (r.nextDouble() * 2 - 1));
        return t;
    }

    /** Floats of one image's largest activation: the stem's convolution's or a stage's output. */
    private static long largestActivation(ResNet m, int[] in) {
        long largest = Tensor.numel(m.conv1.outputShape(in));
        for (ResNet.StageInfo s : m.summary(in)) largest = Math.max(largest, Tensor.numel(s.outputShape()));
        return largest;
    }

    @ParameterizedTest(name = "{0} batch {1} {2}px")
    @CsvSource({"resnet20,4,32", "resnet50,2,64", "plain20,4,32"})
    void anEvalNetworkHoldsAFewActivationsAndNotItsInput(String name, int n, int size) {
        ResNet m = Models.create(ModelConfig.of(name));
        m.setTraining(false);
        Tensor x = random(1, n, size, size, 3);
        m.infer(random(2, 1, size, size, 3));
        float[] logits = m.infer(x).toArray();

        Set<float[]> weights = HeldFloats.weights(m);
        List<float[]> held = HeldFloats.arrays(m, o -> o instanceof PackedWeightCache || weights.contains(o));
        assertThat(held).as("the caller's images are not kept").noneMatch(a -> a == x.data());
        long activations = HeldFloats.floats(held.stream().filter(a -> a.length > ACTIVATION_SIZED).toList());
        long largest = largestActivation(m, x.shape());
        // four slots (two for the blocks' outputs, two for their inner ones), most smaller than the largest
        assertThat(activations).as("floats of activation-sized arrays held, the largest activation being %d", largest)
                .isLessThanOrEqualTo(3 * largest);
        assertThat(m.infer(x).toArray()).as("the same logits from a network that has run").isEqualTo(logits);
    }

    /**
     * Inference writes its activations to the slots a training step uses for its transient
     * tensors (larger here: a larger batch), and keeps nothing: the step after it is the step
     * without it, bit for bit, gradients and running statistics.
     */
    @Test
    void aStepAfterInferenceIsTheStepWithoutIt() {
        ModelConfig config = ModelConfig.of("resnet50").withNumClasses(5);
        ResNet inferred = Models.create(config), fresh = Models.create(config);
        Tensor x = random(3, 2, 32, 32, 3);
        int[] labels = {4, 1};
        inferred.setTraining(false);
        inferred.infer(random(4, 6, 32, 32, 3));
        inferred.setTraining(true);
        for (ResNet m : List.of(inferred, fresh)) {
            SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
            ce.forward(m.forward(x), labels);
            m.backward(ce.backward());
        }
        Map<String, Parameter> want = fresh.parameters();
        for (var e : inferred.parameters().entrySet()) {
            assertThat(e.getValue().grad().toArray()).as(e.getKey()).isEqualTo(want.get(e.getKey()).grad().toArray());
        }
        Map<String, Buffer> wantStats = fresh.buffers();
        for (var e : inferred.buffers().entrySet()) {
            assertThat(e.getValue().value().toArray()).as(e.getKey()).isEqualTo(wantStats.get(e.getKey()).value().toArray());
        }
        inferred.setTraining(false);
        fresh.setTraining(false);
        assertThat(inferred.infer(x).toArray()).isEqualTo(fresh.forward(x).toArray());
    }
}
