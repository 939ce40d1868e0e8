package org.jresnet.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX Runtime (MLAS kernels) inference: one session with every graph optimisation (BN folded
 * into the convolutions, fused activations), {@code threads} intra-op threads, one inter-op
 * thread, sequential execution: the setup a Java user serving a CNN on a CPU would pick.
 * {@code -Djresnet.peers.ortProfile=PREFIX} (through PEERS_JAVA_OPTS) writes ORT's per-node
 * profile to PREFIX_&lt;date&gt;.json when the session closes.
 */
final class OrtRunner implements PeerRunner {
    private static final String INPUT = "input";  // export.py's input name

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxTensor batch;

    OrtRunner(Path modelFile, int threads, long[] shape, float[] data) throws OrtException {
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            // ORT's own per-node profile (a Chrome-trace JSON per session), for comparing layer times
            String profile = System.getProperty("jresnet.peers.ortProfile");
            if (profile != null && !profile.isBlank()) o.enableProfiling(profile);
            session = env.createSession(modelFile.toString(), o);
        }
        batch = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
    }

    @Override public String version() {
        return "onnxruntime " + env.getVersion();
    }

    @Override public float[] logits(float[] input, long[] shape) throws OrtException {
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result r = session.run(Map.of(INPUT, x))) {
            FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] f = new float[out.remaining()];
            out.get(f);
            return f;
        }
    }

    @Override public void step() throws OrtException {
        try (OrtSession.Result r = session.run(Map.of(INPUT, batch))) {
            r.get(0);
        }
    }

    @Override public void close() throws OrtException {
        batch.close();
        session.close();
    }
}
