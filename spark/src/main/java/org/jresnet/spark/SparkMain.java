package org.jresnet.spark;

import org.jresnet.spark.bench.AllReduceBenchCommand;
import org.jresnet.spark.ml.cli.SparkFeaturesCommand;
import org.jresnet.spark.ml.cli.SparkPredictCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code jresnet spark ...}: the Spark module's commands: data-parallel training, predict and
 * features to Parquet, and the all-reduce benchmark.
 */
@Command(name = "jresnet spark", mixinStandardHelpOptions = true,
        description = "jresnet on Apache Spark.", subcommands = {TrainCommand.class, SparkPredictCommand.class,
            SparkFeaturesCommand.class, AllReduceBenchCommand.class})
public final class SparkMain implements Runnable {
    @Override public void run() { new CommandLine(this).usage(System.out); }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("jresnet spark: " + ex.getMessage());
            return 1;
        });
        System.exit(cl.execute(args));
    }
}
