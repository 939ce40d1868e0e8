package org.jresnet.serve;

import org.jresnet.engine.Engine;
import org.jresnet.models.ResNet;
import org.jresnet.tensor.Tensor;

/**
 * Forward passes of one served network, always from one thread (its {@link Batcher}'s), on the
 * model's own engine: two models' batches run at the same time on their own thread pools.
 */
class ModelRunner {   // not final: BatcherTest slows its forward down
    /** One batch's results, row per image: logits {@code [n * classes]}, pooled features {@code [n * featureSize]}. */
    record Outputs(float[] logits, float[] features) {}

    private final ResNet model;
    private final int height, width;
    private final Engine engine;

    ModelRunner(ResNet model, int height, int width, Engine engine) {
        this.engine = engine;
        this.model = model;
        this.height = height;
        this.width = width;
        model.setTraining(false);
    }

    int classes() { return model.config.numClasses(); }
    int featureSize() { return model.featureSize(); }
    int imageFloats() { return height * width * 3; }

    /**
     * {@code n} normalised NHWC images {@code [n, H, W, 3]} in one pass. The kernels split work
     * over output pixels and channels and reduce over input channels and taps only, so an image's
     * outputs do not depend on the other images of the batch (ServerTest checks it bit for bit).
     */
    Outputs forward(float[] images, int n) {
        return engine.call(() -> forwardBound(images, n));
    }

    private Outputs forwardBound(float[] images, int n) {
        Tensor x = new Tensor(images, 0, n, height, width, 3);
        Tensor f = model.inferFeatures(x);
        float[] features = f.toArray();
        float[] logits = model.fc.forward(f).toArray();
        return new Outputs(logits, features);
    }
}
