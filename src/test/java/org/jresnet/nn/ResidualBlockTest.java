package org.jresnet.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jresnet.engine.TestEngines;
import java.util.SplittableRandom;
import org.jresnet.kernel.Elementwise;
import org.jresnet.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The residual add's backward, H'(x) = F'(x) + 1, and the lesion ("deleted") behaviour. */
class ResidualBlockTest {

    private static Tensor relu(Tensor t) {
        for (int i = 0; i < t.size(); i++) t.set(i, Math.max(0f, t.get(i)));
        return t;
    }

    private static void randomize(Layer block, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (Layer m : block.modules().values()) {
            if (m instanceof Conv2d c) Init.kaimingNormalFanOut(c, rng);
            if (m instanceof BatchNorm2d bn) Init.uniform(bn.bias.value(), 0.5, rng);
        }
    }

    /** dL/dx = g + F'(x)^T g exactly, with g = dL/dy through the final relu, for the identity shortcut. */
    @Test
    void identityBlockInputGradientIsOutputGradientPlusBranchGradient() {
        BasicBlock b = new BasicBlock(16, 16, 1, Shortcut.A);
        randomize(b, 1);
        Tensor x = relu(RandomTensors.seed(2).gaussian(2, 4, 4, 16));
        Tensor y = b.forward(x).copy();
        Tensor dy = RandomTensors.seed(3).gaussian(y.shape());
        Tensor dx = b.backward(dy).copy();

        Tensor g = Tensor.zeros(y.shape());   // through the final relu
        for (int i = 0; i < g.size(); i++) g.set(i, y.get(i) > 0 ? dy.get(i) : 0f);
        Tensor dBranch = b.branchBackward(g); // the branch's caches still hold this forward
        for (int i = 0; i < dx.size(); i++) {
            assertThat(dx.get(i)).isEqualTo(g.get(i) + dBranch.get(i));
        }
    }

    /** With a projection the shortcut's backward receives the same g: dx = F'^T g + P'^T g. */
    @ParameterizedTest @EnumSource(value = Shortcut.class, names = {"A", "B", "C"})
    void downsamplingBlockAddsBranchAndShortcutGradients(Shortcut s) {
        BasicBlock b = new BasicBlock(16, 32, 2, s);
        randomize(b, 4);
        Tensor x = relu(RandomTensors.seed(5).gaussian(2, 4, 4, 16));
        Tensor y = b.forward(x).copy();
        Tensor dy = RandomTensors.seed(6).gaussian(y.shape());
        Tensor dx = b.backward(dy).copy();
        Tensor g = Tensor.zeros(y.shape());
        for (int i = 0; i < g.size(); i++) g.set(i, y.get(i) > 0 ? dy.get(i) : 0f);
        Tensor dBranch = b.branchBackward(g).copy();
        Tensor dShort = b.shortcut().backward(g);
        for (int i = 0; i < dx.size(); i++) assertThat(dx.get(i)).isEqualTo(dBranch.get(i) + dShort.get(i));
    }

    @Test
    void plainBlockHasOnlyTheBranch() {
        BasicBlock b = new BasicBlock(16, 16, 1, Shortcut.NONE);
        randomize(b, 7);
        assertThat(b.shortcut()).isNull();
        Tensor x = relu(RandomTensors.seed(8).gaussian(2, 3, 3, 16));
        Tensor y = b.forward(x).copy();
        Tensor f = b.branchForward(x);
        for (int i = 0; i < y.size(); i++) assertThat(y.get(i)).isEqualTo(Math.max(0f, f.get(i)));
    }

    @Test
    void deletedResidualBlockOutputsItsShortcut() {
        BasicBlock identity = new BasicBlock(16, 16, 1, Shortcut.A);
        identity.setDeleted(true);
        Tensor x = relu(RandomTensors.seed(9).gaussian(2, 4, 4, 16));
        assertThat(identity.forward(x).toArray()).containsExactly(x.toArray());
        Tensor dy = RandomTensors.seed(10).gaussian(2, 4, 4, 16);
        Tensor dx = identity.backward(dy);
        for (int i = 0; i < dx.size(); i++) assertThat(dx.get(i)).isEqualTo(x.get(i) > 0 ? dy.get(i) : 0f);

        BasicBlock down = new BasicBlock(16, 32, 2, Shortcut.A);
        down.setDeleted(true);
        Tensor expected = new ShortcutA(16, 32, 2).forward(x);
        assertThat(down.forward(x).toArray()).containsExactly(expected.toArray());
    }

    @Test
    void deletedPlainBlockIsIdentityOnlyWhenShapePreserving() {
        BasicBlock same = new BasicBlock(16, 16, 1, Shortcut.NONE);
        same.setDeleted(true);
        Tensor x = relu(RandomTensors.seed(11).gaussian(1, 3, 3, 16));
        assertThat(same.forward(x).toArray()).containsExactly(x.toArray());
        assertThatThrownBy(() -> new BasicBlock(16, 32, 2, Shortcut.NONE).setDeleted(true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot be deleted");
    }

    @Test
    void shortcutALayout() {
        // [1,3,3,2] -> [1,2,2,4]: positions (0,0),(0,2),(2,0),(2,2); channels padded 1 before, 1 after.
        Tensor x = Tensor.zeros(1, 3, 3, 2);
        for (int i = 0; i < x.size(); i++) x.set(i, i + 1);
        ShortcutA a = new ShortcutA(2, 4, 2);
        Tensor y = a.forward(x);
        assertThat(y.shape()).containsExactly(1, 2, 2, 4);
        assertThat(y.toArray()).containsExactly(0, 1, 2, 0, 0, 5, 6, 0, 0, 13, 14, 0, 0, 17, 18, 0);
        Tensor dy = Tensor.zeros(1, 2, 2, 4);
        for (int i = 0; i < dy.size(); i++) dy.set(i, 100 + i);
        Tensor dx = a.backward(dy);
        assertThat(dx.toArray()).containsExactly(101, 102, 0, 0, 105, 106, 0, 0, 0, 0, 0, 0, 109, 110, 0, 0, 113, 114);
    }

    @Test
    void maxPoolPaddingIsMinusInfinity() {
        Simd_both(() -> {
            Tensor x = Tensor.zeros(1, 2, 2, 1);
            float[] v = {-4, -3, -2, -1};
            for (int i = 0; i < 4; i++) x.set(i, v[i]);
            MaxPool2d p = new MaxPool2d(3, 2, 1);
            Tensor y = p.forward(x);
            assertThat(y.shape()).containsExactly(1, 1, 1, 1);
            assertThat(y.get(0)).isEqualTo(-1f);   // zero padding would have given 0
            Tensor dx = p.backward(Tensor.of(new float[] {5f}, 1, 1, 1, 1));
            assertThat(dx.toArray()).containsExactly(0, 0, 0, 5);
        });
    }

    @Test
    void maxPoolTiesGoToTheFirstInWindowOrder() {
        Simd_both(() -> {
            Tensor x = Tensor.zeros(1, 3, 3, 17); // all equal
            MaxPool2d p = new MaxPool2d(3, 2, 1);
            p.forward(x);
            Tensor dy = Tensor.zeros(1, 2, 2, 17);
            dy.fill(1f);
            Tensor dx = p.backward(dy);
            // Window origins (clamped): (0,0), (0,1), (1,0), (1,1) for outputs (0,0), (0,1), (1,0), (1,1).
            assertThat(dx.get(0)).isEqualTo(1f);
            assertThat(dx.get(17)).isEqualTo(1f);
            assertThat(dx.get(3 * 17)).isEqualTo(1f);
            assertThat(dx.get(4 * 17)).isEqualTo(1f);
            assertThat(dx.get(2 * 17)).isEqualTo(0f);
        });
    }

    private static void Simd_both(Runnable r) {
        try {
            for (boolean on : new boolean[] {true, false}) {
                TestEngines.use(c -> c.withSimd(on));
                r.run();
            }
        } finally {
            TestEngines.reset();
        }
    }

    @Test
    void elementwiseAddIsExact() {
        float[] a = {1.5f, -2f, 3f}, b = {0.25f, 2f, -1f}, y = new float[3];
        Elementwise.add(a, 0, b, 0, y, 0, 3);
        assertThat(y).containsExactly(1.75f, 0f, 2f);
    }
}
