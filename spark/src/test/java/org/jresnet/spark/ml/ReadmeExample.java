package org.jresnet.spark.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.split;

import java.nio.file.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The README's pipeline example, verbatim between the markers (ResNetPipelineTest checks the README quotes it). */
final class ReadmeExample {
    private ReadmeExample() {}

    /** Test accuracy of LogisticRegression on ResNet features; {@code zip} and {@code weights} as in the README. */
    static double run(SparkSession spark, String zip, String weights) throws Exception {
        // README:begin
        Dataset<Row> images = ImageFiles.read(spark, zip)       // path, content, ... of each image
                .withColumn("class", element_at(split(col("path"), "/"), -2));
        Dataset<Row> train = images.filter(col("path").contains("!/train/")).sample(0.06, 1);
        Dataset<Row> test = images.filter(col("path").contains("!/test/")).sample(0.2, 1);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {
                new StringIndexer().setInputCol("class").setOutputCol("label"),
                ResNetFeaturizer.fromWeights(Path.of(weights)),  // adds "features": 64 floats
                new LogisticRegression().setMaxIter(100)}).fit(train);
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
                .evaluate(model.transform(test));
        // README:end
        return accuracy;
    }
}
