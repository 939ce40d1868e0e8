package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Gradients are made by the first backward, not with the weights: inference never holds them. */
class LazyGradientTest {
    @Test void inferenceMakesNoGradientsAndABackwardMakesThemAll() {
        ResNet net = Models.create(ModelConfig.of("resnet20"));
        Tensor x = Tensor.zeros(2, 32, 32, 3);
        for (int i = 0; i < x.size(); i++) x.set(i, (float) Math.sin(i));
        net.setTraining(false);
        net.infer(x);
        net.zeroGrad();
        assertThat(net.parameters().values()).noneMatch(Parameter::gradMade);

        net.setTraining(true);
        Tensor y = net.forward(x);
        Tensor dy = Tensor.zeros(y.shape());
        dy.fill(1f);
        net.backward(dy);
        assertThat(net.parameters().values()).allMatch(Parameter::gradMade);
        assertThat(net.parameters().get("fc.bias").grad().toArray()).containsOnly(2f);   // 1 per image
        net.zeroGrad();
        assertThat(net.parameters().get("fc.bias").grad().toArray()).containsOnly(0f);
    }

    @Test void flatteningBeforeAnyBackwardGivesZeroGradients() {
        ResNet net = Models.create(ModelConfig.of("resnet20"));
        Tensor[] flat = net.flatten();
        assertThat(flat[1].toArray()).containsOnly(0f);
        assertThat(net.parameters().get("fc.weight").grad().data()).isSameAs(flat[1].data());
    }
}
