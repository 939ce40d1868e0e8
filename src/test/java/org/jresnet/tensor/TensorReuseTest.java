package org.jresnet.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TensorReuseTest {
    @Test void sameShapeIsTheSameTensor() {
        Tensor t = Tensor.zeros(4, 3);
        assertThat(Tensor.reuse(t, 4, 3)).isSameAs(t);
    }

    @Test void smallerShapeViewsTheSameStorage() {
        Tensor big = Tensor.zeros(16, 8, 8, 4);
        Tensor small = Tensor.reuse(big, 3, 8, 8, 4);
        assertThat(small.data()).isSameAs(big.data());
        assertThat(small.shape()).containsExactly(3, 8, 8, 4);
        assertThat(small.offset()).isZero();
        // and back to the large shape, still without allocating
        assertThat(Tensor.reuse(small, 16, 8, 8, 4).data()).isSameAs(big.data());
    }

    @Test void largerShapeAllocates() {
        Tensor t = Tensor.zeros(2, 5);
        Tensor u = Tensor.reuse(t, 3, 5);
        assertThat(u.data()).isNotSameAs(t.data());
        assertThat(u.data()).hasSize(15).containsOnly(0f);
    }

    /** A view into somebody else's array (a parameter buffer, a shared slot) is never handed out under another shape. */
    @Test void viewsOfOtherArraysAreNotReshaped() {
        float[] shared = new float[100];
        Tensor view = new Tensor(shared, 0, 10, 10);
        assertThat(Tensor.reuse(view, 10, 10)).isSameAs(view);
        assertThat(Tensor.reuse(view, 5, 10).data()).isNotSameAs(shared);
    }

    @Test void nullAllocates() {
        assertThat(Tensor.reuse(null, 2, 2).size()).isEqualTo(4);
    }
}
