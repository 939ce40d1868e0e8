package org.jresnet.spark.ml;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.jresnet.api.Network;

/**
 * A ResNet without its classifier as a Spark ML {@code Transformer}: adds the global-average-pooled
 * features (64 values for CIFAR nets, 512 or 2048 for ImageNet nets) as an ML {@code Vector}, the
 * input MLlib's estimators (LogisticRegression, ...) take: transfer learning in one Pipeline.
 */
public final class ResNetFeaturizer extends ResNetStage<ResNetFeaturizer> {
    private static final long serialVersionUID = 1L;

    private final Param<String> outputCol;

    public ResNetFeaturizer() { this(Identifiable$.MODULE$.randomUID("resnetFeaturizer")); }

    public ResNetFeaturizer(String uid) {
        super(uid);
        outputCol = new Param<>(uid, "outputCol", "pooled features column (vector)");
        setDefault(outputCol, "features");
    }

    /** The featurizer of any weights file {@code bin/jresnet predict --weights} takes. */
    public static ResNetFeaturizer fromWeights(Path file) throws IOException {
        return new ResNetFeaturizer().setWeights(NetworkWeights.load(file));
    }

    public static MLReader<ResNetFeaturizer> read() {
        return new StageReader<>(ResNetFeaturizer.class, ResNetFeaturizer::new);
    }

    public static ResNetFeaturizer load(String path) { return read().load(path); }

    public Param<String> outputCol() { return outputCol; }
    public String getOutputCol() { return getOrDefault(outputCol); }
    public ResNetFeaturizer setOutputCol(String v) { set(outputCol, v); return this; }

    /** Length of the feature vectors. */
    public int featureSize() { return weights().network().featureSize(); }

    @Override OutputHead head() { return new Head(getOutputCol()); }

    private record Head(String column) implements OutputHead {
        @Override public List<StructField> fields() {
            return List.of(DataTypes.createStructField(column, SQLDataTypes.VectorType(), true));
        }

        @Override public Object[][] compute(Network net, float[] x, int n, int size) {
            float[] f = net.features(x, size, size, Network.Layout.NHWC);
            int d = f.length / n;
            Object[][] out = new Object[n][];
            for (int i = 0; i < n; i++) {
                double[] v = new double[d];
                for (int j = 0; j < d; j++) v[j] = f[i * d + j];
                out[i] = new Object[] {Vectors.dense(v)};
            }
            return out;
        }
    }
}
