package org.jresnet.spark.train;

import org.jresnet.spark.comm.Ring;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.TrainStep;

/**
 * The step's seam for data-parallel training: after backward, the flat gradient buffer is
 * replaced by its mean over the ring's workers, so every replica applies the same update.
 * The TrainStep must be built with {@code flatGradients(true)}.
 */
public final class RingGradientHook implements TrainStep.GradientHook {
    private final Ring ring;

    public RingGradientHook(Ring ring) { this.ring = ring; }

    @Override public void afterBackward(TrainStep.Seam seam) {
        Tensor g = seam.flatGradients();
        ring.allReduceMean(g.data(), g.offset(), (int) g.size());
    }
}
