package org.jresnet.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.FloatBuffer;
import java.util.Map;

/** The README's ONNX Runtime example, verbatim between the markers ({@link ReadmeOnnxExampleTest} checks both). */
final class ReadmeOnnxExample {
    private ReadmeOnnxExample() {}

    // README-BEGIN
    /** The class name of one image, [3,H,W] as float32 NCHW, normalised with the file's mean/std. */
    static String classify(String onnxFile, float[] image) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnxFile, new OrtSession.SessionOptions())) {
            long[] shape = ((TensorInfo) session.getInputInfo().get("input").getInfo()).getShape();
            shape[0] = 1;                                             // the batch: -1 in the file (dynamic)
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), shape);
                 OrtSession.Result result = session.run(Map.of("input", input))) {
                float[] logits = ((float[][]) result.get("logits").orElseThrow().getValue())[0];
                int best = 0;
                for (int k = 1; k < logits.length; k++) if (logits[k] > logits[best]) best = k;
                String classes = session.getMetadata().getCustomMetadata().get("classes");   // a JSON array
                return new ObjectMapper().readValue(classes, String[].class)[best];
            }
        }
    }
    // README-END
}
