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
        // SparkContext logs its failed start with a stack trace before it throws; the exception
        // reaches the handler below, which says it in one line.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.spark.SparkContext", "off");
        // two warnings every command printed, about nothing the user can act on
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop.util.NativeCodeLoader", "error");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.spark.metrics.MetricsSystem", "error");
        quietFailures();
        System.exit(execute(args));
    }

    /**
     * A failed task's stack trace, logged by Spark before the job fails (the executor's "Exception
     * in task" in local mode, the scheduler's "Lost task" for each attempt, a missing input's
     * lookup), and the block manager's warnings that the failed task's cached partition was not
     * stored: the handler below says the reason in one line instead. Set before SLF4J's simple
     * logger reads its settings, i.e. before any Spark class logs.
     */
    static void quietFailures() {
        QUIETED.forEach((name, level) -> System.setProperty("org.slf4j.simpleLogger.log." + name, level));
    }

    static final java.util.Map<String, String> QUIETED = java.util.Map.of("org.apache.spark.executor.Executor", "off",
            "org.apache.spark.scheduler.TaskSetManager", "off",
            "org.apache.spark.sql.execution.streaming.sinks.FileStreamSink", "off",
            "org.apache.spark.storage.BlockManager", "error");

    /** Runs a command; its exit code: 0, 2 for bad options, 1 for other errors, each one line on stderr. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("jresnet spark: " + oneLine(ex));
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

    private static final java.util.regex.Pattern OUR_EXCEPTION =
            java.util.regex.Pattern.compile("org\\.jresnet\\.[\\w.$]+(?:Exception|Error): ([^\\n]+)");

    /**
     * What went wrong, in one line: ours when it is in there (a failed stage carries the executor's
     * exception only as text, with both stack traces, in its message), else the message's first line.
     */
    static String oneLine(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null) continue;
            if (t.getClass().getName().startsWith("org.jresnet.") && t != ex) return m.lines().findFirst().orElse(m);
            java.util.regex.Matcher ours = OUR_EXCEPTION.matcher(m);
            if (ours.find()) return ours.group(1).strip();
        }
        String m = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        return m.lines().findFirst().orElse(m).strip();
    }
}
