package org.jresnet.cli;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.jresnet.data.DecodeLimits;
import org.jresnet.models.Models;
import org.jresnet.train.ResumeChange;
import org.jresnet.train.TrainConfig;
import picocli.CommandLine;

/**
 * The {@code train} command's options read into its typed {@link TrainConfig}, for another front
 * end of the same training (the Spark module's {@code spark train}): the same flags, defaults and
 * checks. The engine bound to the calling thread gives the run's thread count.
 */
public final class TrainArgs {
    /** A new run's config (resume null), or the run folder to resume (config null; its changes: {@link #resumeChange}). */
    public record Parsed(TrainConfig config, Path resume, boolean quiet, DecodeLimits limits, Integer threads) {}

    private TrainArgs() {}

    /** Parses {@code args}; a bad option throws {@link IllegalArgumentException} with train's message. */
    public static Parsed parse(String... args) {
        TrainCommand c = new TrainCommand();
        parsed(c, args);
        try {
            if (c.resume != null) return new Parsed(null, c.resume, c.training.quiet, c.limits.limits(), c.engine.threads);
            TrainRecipes.apply(c.recipe, c.spec);
            Models.arch(c.model);
            Path out = c.out != null ? c.out : Paths.get("runs", c.model);
            return new Parsed(c.config(c.training.dataOrSample(), out), null, c.training.quiet, c.limits.limits(),
                    c.engine.threads);
        } catch (CommandLine.ParameterException | Errors.UsageException | TrainConfig.Invalid e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (java.io.IOException e) {   // --init's metadata, read for its normalisation
            throw new IllegalArgumentException("--init " + Errors.reason(e), e);
        }
    }

    /**
     * What {@code --resume} with {@code args} changes in the run: {@code --lr} and {@code --epochs}
     * as train takes them ({@link ResumeChange#NONE} without them or without {@code --resume}).
     */
    public static ResumeChange resumeChange(String... args) {
        TrainCommand c = new TrainCommand();
        CommandLine cl = parsed(c, args);
        if (c.resume == null) return ResumeChange.NONE;
        var r = cl.getParseResult();
        return new ResumeChange(r.hasMatchedOption("--lr") ? c.training.lr : null,
                r.hasMatchedOption("--epochs") ? c.epochs : null);
    }

    private static CommandLine parsed(TrainCommand c, String... args) {
        // later occurrences win: the Spark driver appends absolute paths and the implied options
        CommandLine cl = new CommandLine(c).setOverwrittenOptionsAllowed(true);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (c.resume != null) {
            // as train: only --lr and --epochs may change a run (ResumeChange)
            for (String o : TrainCommand.RUN_OPTIONS) {
                if (cl.getParseResult().hasMatchedOption(o)) {
                    throw new IllegalArgumentException(o + " cannot be combined with --resume: the run keeps its own settings"
                            + " (only --lr and --epochs may change)");
                }
            }
        }
        return cl;
    }
}
