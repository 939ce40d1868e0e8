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
        System.exit(execute(args));
    }

    /** Runs a command; its exit code: 0, 2 for bad options, 1 for other errors, each one line on stderr. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("jresnet spark: " + ex.getMessage());
            cmd.getErr().flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("jresnet spark: " + ex.getMessage() + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            ex.getCommandLine().getErr().flush();
            return 2;
        });
        return cl.execute(args);
    }
}
