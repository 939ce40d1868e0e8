package org.jresnet.cli;

import org.jresnet.engine.Engine;
import org.jresnet.engine.EngineConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * {@code --threads}, shared by every command that computes. {@link Main} runs the command with the
 * engine these options describe bound to its thread ({@link #runBound}), so no command sets
 * engine state itself.
 */
final class EngineOptions {
    @Option(names = "--threads", paramLabel = "T", description = "Engine threads (default: all cores).")
    Integer threads;

    /** The command's engine, bound to this thread until closed (and closed itself if made for it). */
    private AutoCloseable open() {
        Engine base = Engine.defaultEngine();
        if (threads == null || threads == base.threads()) return base.bind();
        if (!EngineConfig.validThreads(threads)) {
            throw new Errors.UsageException("--threads must be " + EngineConfig.THREADS_RANGE + ", got " + threads);
        }
        Engine own = Engine.create(base.config().withThreads(threads));
        Engine.Scope scope = own.bind();
        return () -> {
            scope.close();
            own.close();
        };
    }

    /** Executes the parsed command with the engine of its {@code EngineOptions} (if it has them) bound. */
    static int runBound(ParseResult parsed, CommandLine.IExecutionStrategy strategy) {
        ParseResult last = parsed;
        while (last.subcommand() != null) last = last.subcommand();
        EngineOptions opts = find(last.commandSpec());
        if (opts == null) return strategy.execute(parsed);
        AutoCloseable bound;
        try {
            bound = opts.open();
        } catch (RuntimeException e) {
            throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), e.getMessage(), e);
        }
        try (AutoCloseable b = bound) {
            return strategy.execute(parsed);
        } catch (CommandLine.ExecutionException | CommandLine.ParameterException e) {
            throw e;
        } catch (Exception e) {
            throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), String.valueOf(e.getMessage()), e);
        }
    }

    private static EngineOptions find(CommandSpec spec) {
        for (CommandSpec m : spec.mixins().values()) {
            if (m.userObject() instanceof EngineOptions e) return e;
            EngineOptions inner = find(m);
            if (inner != null) return inner;
        }
        return null;
    }
}
