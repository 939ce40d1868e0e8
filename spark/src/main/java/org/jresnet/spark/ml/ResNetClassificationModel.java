package org.jresnet.spark.ml;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.jresnet.api.Network;

/**
 * A ResNet classifier as a Spark ML {@code Transformer}: from an image column it adds MLlib's
 * columns {@code rawPrediction} (logits), {@code probability} (softmax), {@code prediction} (class
 * index as a double) and {@code predictedLabel} (class name), and, with {@code topK > 0},
 * {@code topClasses} / {@code topProbabilities}. On the binaryFile source's bytes the probabilities
 * equal {@code bin/jresnet predict}'s bit for bit (same decoder, preprocessing, engine settings and
 * softmax).
 *
 * <pre>{@code
 *   ResNetClassificationModel m = ResNetClassificationModel.fromWeights(Path.of("resnet50.pth"));
 *   Dataset<Row> out = m.transform(spark.read().format("binaryFile").load("photos/"));
 * }</pre>
 */
public final class ResNetClassificationModel extends ResNetStage<ResNetClassificationModel> {
    private static final long serialVersionUID = 1L;

    private final Param<String> rawPredictionCol, probabilityCol, predictionCol, predictedLabelCol, topClassesCol,
            topProbabilitiesCol;
    private final IntParam topK;
    private ResNetTrainingSummary summary;

    public ResNetClassificationModel() { this(Identifiable$.MODULE$.randomUID("resnetClassifier")); }

    public ResNetClassificationModel(String uid) {
        super(uid);
        rawPredictionCol = new Param<>(uid, "rawPredictionCol", "logits column (vector)");
        probabilityCol = new Param<>(uid, "probabilityCol", "class probabilities column (vector)");
        predictionCol = new Param<>(uid, "predictionCol", "predicted class index column (double)");
        predictedLabelCol = new Param<>(uid, "predictedLabelCol", "predicted class name column");
        topClassesCol = new Param<>(uid, "topClassesCol", "the topK class names, most probable first");
        topProbabilitiesCol = new Param<>(uid, "topProbabilitiesCol", "the topK probabilities");
        topK = new IntParam(uid, "topK", "classes listed in topClassesCol / topProbabilitiesCol (0: no such columns)",
                ParamValidators.gtEq(0));
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(probabilityCol, "probability");
        setDefault(predictionCol, "prediction");
        setDefault(predictedLabelCol, "predictedLabel");
        setDefault(topClassesCol, "topClasses");
        setDefault(topProbabilitiesCol, "topProbabilities");
        setDefault(topK, 0);
    }

    /** The classifier of any weights file {@code bin/jresnet predict --weights} takes. */
    public static ResNetClassificationModel fromWeights(Path file) throws IOException {
        return new ResNetClassificationModel().setWeights(NetworkWeights.load(file));
    }

    public static MLReader<ResNetClassificationModel> read() {
        return new StageReader<>(ResNetClassificationModel.class, ResNetClassificationModel::new);
    }

    public static ResNetClassificationModel load(String path) { return read().load(path); }

    public Param<String> rawPredictionCol() { return rawPredictionCol; }
    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> predictedLabelCol() { return predictedLabelCol; }
    public Param<String> topClassesCol() { return topClassesCol; }
    public Param<String> topProbabilitiesCol() { return topProbabilitiesCol; }
    public IntParam topK() { return topK; }

    public ResNetClassificationModel setRawPredictionCol(String v) { set(rawPredictionCol, v); return this; }
    public ResNetClassificationModel setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public ResNetClassificationModel setPredictionCol(String v) { set(predictionCol, v); return this; }
    public ResNetClassificationModel setPredictedLabelCol(String v) { set(predictedLabelCol, v); return this; }
    public ResNetClassificationModel setTopK(int v) { set(topK, v); return this; }

    /** Whether this model came from {@link ResNetClassifier#fit} in this session (a loaded model has no summary). */
    public boolean hasSummary() { return summary != null; }

    /** What training measured; only a model {@link ResNetClassifier#fit} returned in this session has one. */
    public ResNetTrainingSummary summary() {
        if (summary == null) throw new IllegalStateException(uid() + " has no training summary: only a model fit() returned has one");
        return summary;
    }

    ResNetClassificationModel setSummary(ResNetTrainingSummary s) {
        summary = s;
        return this;
    }

    @Override public ResNetClassificationModel copy(org.apache.spark.ml.param.ParamMap extra) {
        return super.copy(extra).setSummary(summary);
    }

    /** The class names, in the network's order. */
    public List<String> classes() { return weights().metadata().classes(); }

    @Override OutputHead head() {
        return new Head(getOrDefault(rawPredictionCol), getOrDefault(probabilityCol), getOrDefault(predictionCol),
                getOrDefault(predictedLabelCol), getOrDefault(topClassesCol), getOrDefault(topProbabilitiesCol),
                (Integer) getOrDefault(topK));
    }

    private record Head(String raw, String prob, String pred, String label, String topClasses, String topProbs, int topK)
            implements OutputHead {
        @Override public List<StructField> fields() {
            List<StructField> f = new ArrayList<>(List.of(
                    DataTypes.createStructField(raw, SQLDataTypes.VectorType(), true),
                    DataTypes.createStructField(prob, SQLDataTypes.VectorType(), true),
                    DataTypes.createStructField(pred, DataTypes.DoubleType, true),
                    DataTypes.createStructField(label, DataTypes.StringType, true)));
            if (topK > 0) {
                f.add(DataTypes.createStructField(topClasses, DataTypes.createArrayType(DataTypes.StringType, false), true));
                f.add(DataTypes.createStructField(topProbs, DataTypes.createArrayType(DataTypes.DoubleType, false), true));
            }
            return f;
        }

        @Override public Object[][] compute(Network net, float[] x, int n, int size) {
            float[] logits = net.predict(x, size, size, Network.Layout.NHWC);
            int k = net.numClasses(), shown = Math.min(topK, k);
            List<String> names = net.classes();
            Object[][] out = new Object[n][];
            for (int i = 0; i < n; i++) {
                double[] z = new double[k];
                for (int j = 0; j < k; j++) z[j] = logits[i * k + j];
                double[] p = softmax(logits, i, k);
                Integer[] order = new Integer[k];
                for (int j = 0; j < k; j++) order[j] = j;
                // A stable sort, most probable first: ties keep the lower index, as predict lists them.
                Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
                int best = order[0];
                Object[] row = new Object[topK > 0 ? 6 : 4];
                row[0] = Vectors.dense(z);
                row[1] = Vectors.dense(p);
                row[2] = (double) best;
                row[3] = names.get(best);
                if (topK > 0) {
                    String[] c = new String[shown];
                    Double[] q = new Double[shown];
                    for (int j = 0; j < shown; j++) {
                        c[j] = names.get(order[j]);
                        q[j] = p[order[j]];
                    }
                    row[4] = c;
                    row[5] = q;
                }
                out[i] = row;
            }
            return out;
        }
    }

    /**
     * Row {@code i}'s softmax in double, in exactly the operations of {@code bin/jresnet predict}
     * (max, exp of the shifted logits summed in order, division): equal logits give equal bits.
     */
    static double[] softmax(float[] logits, int i, int k) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        double[] p = new double[k];
        for (int j = 0; j < k; j++) max = Math.max(max, logits[i * k + j]);
        for (int j = 0; j < k; j++) sum += p[j] = Math.exp(logits[i * k + j] - max);
        for (int j = 0; j < k; j++) p[j] /= sum;
        return p;
    }
}
