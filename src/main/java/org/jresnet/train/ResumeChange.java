package org.jresnet.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code --resume} may change in a run, and nothing else: the base learning rate (to go on
 * more gently after a divergence) and the number of epochs (to train longer). The change applies
 * from the checkpoint's iteration on: the schedule is that of the changed run, evaluated at the
 * iterations still to come; iterations already done keep what they had. Such a run is no longer
 * the uninterrupted run its first command described, so it makes no bit-identity claim; the
 * change is recorded in {@code metrics.jsonl} and the checkpoint stores the changed config.
 *
 * @param lr     the new base learning rate, or null to keep it
 * @param epochs the new number of epochs, or null to keep it
 */
public record ResumeChange(Double lr, Integer epochs) {
    public static final ResumeChange NONE = new ResumeChange(null, null);

    /** Whether it changes anything in {@code cfg}. */
    public boolean changes(TrainConfig cfg) {
        return (lr != null && lr != cfg.schedule().lr()) || (epochs != null && epochs != cfg.run().epochs());
    }

    /**
     * {@code r} with its config changed. A run cannot be shortened to before the epoch it is in
     * ({@link TrainConfig.Invalid} for {@code epochs}); the values are checked as any run's.
     */
    public RunFiles.Resumed applyTo(RunFiles.Resumed r) {
        if (!changes(r.config())) return r;
        TrainConfig c = r.config();
        TrainConfig.Schedule s = c.schedule();
        if (lr != null) s = s.withLr(lr);
        TrainConfig.Run run = c.run();
        if (epochs != null && epochs != run.epochs()) {
            int at = r.state().epoch();
            if (epochs < at) {
                throw new TrainConfig.Invalid("epochs", String.format(Locale.ROOT,
                        "must be at least %d when resuming: the run %s epoch %d", at,
                        r.state().batchInEpoch() > 0 ? "is in" : "goes on with", at));
            }
            run = run.withEpochs(epochs);
        }
        TrainConfig changed = new TrainConfig(c.model(), c.data(), c.optimizer(), s, run);
        return new RunFiles.Resumed(r.loaded(), changed, r.state(), r.momentum());
    }

    /** The {@code metrics.jsonl} record of this change made to {@code before} at {@code at}. */
    Map<String, Object> record(TrainConfig before, RunState at) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "resumed_with_changes");
        m.put("epoch", at.epoch());
        m.put("iteration", at.iteration());
        if (lr != null && lr != before.schedule().lr()) m.put("lr", fromTo(before.schedule().lr(), lr));
        if (epochs != null && epochs != before.run().epochs()) {
            m.put("epochs", fromTo(before.run().epochs(), epochs));
        }
        return m;
    }

    private static Map<String, Object> fromTo(Object from, Object to) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", from);
        m.put("to", to);
        return m;
    }

    /** One line for the user: what changed, and that bit-identity is given up. */
    String describe(TrainConfig before, RunState at) {
        StringBuilder b = new StringBuilder();
        if (lr != null && lr != before.schedule().lr()) b.append(String.format(Locale.ROOT, "lr %s -> %s", before.schedule().lr(), lr));
        if (epochs != null && epochs != before.run().epochs()) {
            if (b.length() > 0) b.append(", ");
            b.append(String.format(Locale.ROOT, "epochs %d -> %d", before.run().epochs(), epochs));
        }
        return String.format(Locale.ROOT, "changed from iteration %d on: %s (recorded in metrics.jsonl); the run is no"
                + " longer bit-identical to an uninterrupted one", at.iteration(), b);
    }
}
