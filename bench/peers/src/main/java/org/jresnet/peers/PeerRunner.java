package org.jresnet.peers;

/**
 * One peer library running one workload: a model loaded for one mode ("train" or "infer") at one
 * batch size, on synthetic input that stays fixed across steps (as in jresnet's bench).
 */
interface PeerRunner extends AutoCloseable {
    /** Library and version as reported by the library itself, e.g. "libtorch 2.7.1 (DJL 0.36.0)". */
    String version();

    /** Intra-op threads as the library reports them after setup; null where it cannot say. */
    default Integer libraryThreads() {
        return null;
    }

    /**
     * The network's logits for {@code input} ([n, 3, h, w], NCHW) in this runner's mode, without
     * an update: proves the loaded model computes what eager PyTorch computed at export time.
     */
    float[] logits(float[] input, long[] shape) throws Exception;

    /** One timed unit: a training step (forward, loss, backward, SGD update) or an inference pass. */
    void step() throws Exception;

    @Override void close() throws Exception;
}
