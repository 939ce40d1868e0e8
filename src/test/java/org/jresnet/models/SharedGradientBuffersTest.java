package org.jresnet.models;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.nn.RandomTensors;
import java.util.Map;
import org.jresnet.nn.Parameter;
import org.jresnet.nn.Shortcut;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The memory plans (shared transient buffers) change where tensors are written, never their values: bit for bit. */
class SharedGradientBuffersTest {

    /** Two steps (the second reuses every buffer) of forward + backward; returns dx and the gradients. */
    private static float[][] run(ModelConfig config, int size, boolean shared, boolean deleteOne) {
        ResNet net = Models.create(config);
        if (!shared) ResNetMemory.ownBuffers(net);   // Models.create shares them
        net.setInputGradient(true);
        if (deleteOne) net.blocks().get(1).setDeleted(true);
        Tensor x = RandomTensors.seed(1).uniform(-1, 1, 2, size, size, 3);
        Tensor dy = RandomTensors.seed(2).uniform(-1, 1, 2, config.numClasses());
        Tensor dx = null;
        for (int step = 0; step < 2; step++) {
            net.zeroGrad();
            net.forward(x);
            dx = net.backward(dy);
        }
        Map<String, Parameter> ps = net.parameters();
        float[][] out = new float[ps.size() + 1][];
        int i = 0;
        for (Parameter p : ps.values()) out[i++] = p.grad().toArray();
        out[i] = dx.toArray();
        return out;
    }

    @ParameterizedTest
    @CsvSource({"resnet20,A,8,false", "resnet20,B,8,true", "plain20,NONE,8,false", "resnet50,B,32,false",
                "resnet50,C,32,true", "resnet18,B,32,false"})
    void gradientsAreIdentical(String name, Shortcut shortcut, int size, boolean deleteOne) {
        ModelConfig c = ModelConfig.of(name).withShortcut(shortcut).withNumClasses(5);
        float[][] own = run(c, size, false, deleteOne), shared = run(c, size, true, deleteOne);
        assertThat(shared.length).isEqualTo(own.length);
        for (int i = 0; i < own.length; i++) {
            int diff = java.util.Arrays.mismatch(shared[i], own[i]);   // AssertJ's array diff is too slow for big arrays
            assertThat(diff).as("gradient %d of %d first differs at %d", i, own.length, diff).isEqualTo(-1);
        }
    }
}
