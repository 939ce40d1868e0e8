package org.jresnet.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jresnet} command line. Every subcommand is a thin layer over the Java API. Errors end as
 * one line on stderr: exit 2 for usage errors, 1 for the rest; {@code --debug} adds the trace.
 */
@Command(name = "jresnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Deep residual networks (He et al., 2015) in pure Java.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, ExplainCommand.class, ConvertCommand.class,
            ExportCommand.class, SummaryCommand.class,
            InfoCommand.class, BenchCommand.class, ExperimentCommand.class, ReportCommand.class, ServeCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces on errors.")
    boolean debug;

    private static volatile boolean debugRequested;

    /** Whether this invocation asked for --debug (commands list extra detail then). */
    static boolean debugRequested() { return debugRequested; }

    /** No command given: a usage error, so a script's typo is not taken for success. */
    @Override public Integer call() {
        new CommandLine(this).usage(System.err);
        return 2;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        debugRequested = debug;
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionStrategy(parsed -> EngineOptions.runBound(parsed, new CommandLine.RunLast()));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (debug) ex.printStackTrace(err);
            err.println(Errors.describe(ex));
            err.flush();
            return Errors.exitCode(ex);
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            if (debug) ex.printStackTrace(err);
            err.println("jresnet: " + ex.getMessage() + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return 2;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // picocli hands only Exceptions to the handler above; JVM errors arrive here.
            if (debug) e.printStackTrace();
            System.err.println(Errors.describe(e));
            return 1;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jresnet " + (v == null ? "dev" : v)};
        }
    }
}
