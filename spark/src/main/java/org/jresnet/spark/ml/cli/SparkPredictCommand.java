package org.jresnet.spark.ml.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.jresnet.spark.ml.ResNetClassificationModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jresnet spark predict}: every image's top classes and probabilities into Parquet. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Classify images on Spark: path, prediction, predictedLabel, topClasses, topProbabilities"
                + " (and error) per image, into Parquet.")
public final class SparkPredictCommand implements Callable<Integer> {
    @Mixin ImageJobOptions job;
    @Option(names = "--top", defaultValue = "5", description = "Classes listed per image (default ${DEFAULT-VALUE}).") int top;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws Exception {
        job.check(spec.commandLine());
        if (top < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--top must be >= 1");
        ResNetClassificationModel model = job.configure(new ResNetClassificationModel().setWeights(job.networkWeights(spec.commandLine()))).setTopK(top);
        try (SparkSession spark = job.session("jresnet spark predict")) {
            Dataset<Row> out = model.transform(job.images(spark));
            List<Column> cols = new ArrayList<>(List.of(functions.col("path"), functions.col("prediction"),
                    functions.col("predictedLabel"), functions.col("topClasses"), functions.col("topProbabilities")));
            boolean keep = job.onBad.equals("keep");
            if (keep) cols.add(functions.col("error"));
            return job.write(spark, out.select(cols.toArray(Column[]::new)), keep);
        }
    }
}
