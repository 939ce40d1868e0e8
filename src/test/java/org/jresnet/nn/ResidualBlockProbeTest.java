package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** What a block exposes of its last pass for the experiments (branch output, gradients). */
class ResidualBlockProbeTest {

    @Test void exposesTheLastPass() {
        BasicBlock b = new BasicBlock(8, 8, 1, Shortcut.A);
        b.setRecording(true);
        Tensor x = RandomTensors.seed(1).gaussian(2, 4, 4, 8);
        for (int i = 0; i < x.size(); i++) x.set(i, Math.max(0, x.get(i)));
        b.forward(x);
        Tensor f = b.lastBranchOutput().copy();
        assertThat(b.branchForward(x).toArray()).containsExactly(f.toArray());  // F(x) = bn2(conv2(...))
        Tensor dy = RandomTensors.seed(2).gaussian(2, 4, 4, 8);
        b.forward(x);
        Tensor dx = b.backward(dy);
        assertThat(b.lastInputGradient().toArray()).containsExactly(dx.toArray());
        for (int i = 0; i < dx.size(); i++) {
            assertThat(dx.get(i)).isEqualTo(b.lastSumGradient().get(i) + b.lastBranchInputGradient().get(i));
        }
    }

    @Test void aDeletedBlockHasNoBranch() {
        BasicBlock b = new BasicBlock(8, 8, 1, Shortcut.A);
        b.setRecording(true);
        b.setDeleted(true);
        Tensor x = RandomTensors.seed(3).gaussian(1, 2, 2, 8);
        b.forward(x);
        assertThat(b.lastBranchOutput()).isNull();
        Tensor dx = b.backward(RandomTensors.seed(4).gaussian(1, 2, 2, 8));
        assertThat(b.lastBranchInputGradient()).isNull();
        assertThat(b.lastInputGradient().toArray()).containsExactly(dx.toArray());
    }
}
