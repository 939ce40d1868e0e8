package org.jresnet.spark.ml.cli;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jresnet.spark.ml.ResNetFeaturizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code jresnet spark features}: every image's pooled features (an ML Vector) into Parquet. */
@Command(name = "features", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Global-average-pooled features of images on Spark: path, features (and error) per image, into Parquet.")
public final class SparkFeaturesCommand implements Callable<Integer> {
    @Mixin ImageJobOptions job;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws Exception {
        job.check(spec.commandLine());
        ResNetFeaturizer f = job.configure(new ResNetFeaturizer().setWeights(job.networkWeights(spec.commandLine())));
        try (SparkSession spark = job.session("jresnet spark features")) {
            Dataset<Row> out = f.transform(job.images(spark));
            boolean keep = job.onBad.equals("keep");
            return job.write(spark, keep ? out.select("path", "features", "error") : out.select("path", "features"), keep);
        }
    }
}
