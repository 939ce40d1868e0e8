package org.jresnet.peers;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import java.util.Map;

/**
 * libtorch 2.7.1 through DJL 0.36 (MKL, oneDNN, AVX-512 kernels), on a TorchScript trace made by
 * export.py. Training: DJL's Trainer with softmax cross-entropy and SGD (momentum 0.9, weight
 * decay 1e-4, as every side of bench/compare); inference: the module's forward without autograd.
 * Threads are set through DJL's system properties before the engine starts (see PeerBench).
 */
final class DjlRunner implements PeerRunner {
    /** The update's size does not matter for speed; the other SGD settings are the paper's. */
    static final float LR = 0.01f, MOMENTUM = 0.9f, WEIGHT_DECAY = 1e-4f;

    private final boolean train;
    private final Model model;
    private final NDManager manager;
    private final NDArray x;
    private final NDArray labels;
    private final Trainer trainer;
    private final ParameterStore inferStore;

    DjlRunner(Path dir, String name, boolean train, long[] shape, float[] data, long[] labelData) throws Exception {
        this.train = train;
        model = Model.newInstance(name, "PyTorch");
        // trainParam: load the parameters with requires_grad, so backward reaches them.
        model.load(dir, name + (train ? "-train" : "-infer"), Map.of("trainParam", String.valueOf(train)));
        manager = model.getNDManager();
        x = manager.create(data, new Shape(shape));
        labels = manager.create(labelData);
        if (train) {
            trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(LR))
                            .optMomentum(MOMENTUM).optWeightDecays(WEIGHT_DECAY).build()));
            trainer.initialize(new Shape(shape));
            // DJL leaves a loaded module in eval mode; the trace fixes BN's mode anyway, but
            // anything else mode-dependent must see train().
            JniUtils.enableTrainingMode((PtSymbolBlock) model.getBlock());
            inferStore = null;
        } else {
            trainer = null;
            inferStore = new ParameterStore(manager, false);
        }
    }

    @Override public String version() {
        return "libtorch " + Engine.getEngine("PyTorch").getVersion() + " (DJL " + Engine.getDjlVersion() + ")";
    }

    @Override public Integer libraryThreads() {
        return JniUtils.getNumThreads();
    }

    @Override public float[] logits(float[] input, long[] shape) {
        try (NDManager m = manager.newSubManager()) {
            NDArray in = m.create(input, new Shape(shape));
            NDList out = train ? trainer.forward(new NDList(in)) : forwardInfer(new NDList(in));
            float[] f = out.singletonOrThrow().toFloatArray();
            out.close();
            return f;
        }
    }

    @Override public void step() {
        if (!train) {
            forwardInfer(new NDList(x)).close();
            return;
        }
        try (NDManager m = manager.newSubManager()) {
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList out = trainer.forward(new NDList(x));
                out.attach(m);  // the loss's intermediates follow its input into m
                gc.backward(trainer.getLoss().evaluate(new NDList(labels), out));
            }
            trainer.step();  // DJL's SGD update also zeroes each gradient
        }
    }

    private NDList forwardInfer(NDList in) {
        Block b = model.getBlock();
        return b.forward(inferStore, in, false);
    }

    @Override public void close() {
        if (trainer != null) trainer.close();
        model.close();
    }
}
