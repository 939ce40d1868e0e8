package org.jresnet.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.io.Normalization;

/**
 * A {@link TrainConfig} as a checkpoint stores it: one flat JSON object, the same keys in the same
 * order as every checkpoint written before the config had parts (including the committed runs in
 * {@code docs/results}), so old checkpoints resume and new ones read the same. {@code microBatches}
 * is written only when it is not 1, and read as 1 when absent. {@code workers} (the data-parallel
 * workers of the process that wrote the checkpoint, e.g. a Spark run's) likewise; it is not part of
 * the run's definition ({@code microBatches} is), so {@link #toConfig} leaves it out.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record StoredTrainConfig(String model, String shortcut, Path data, Path out, int epochs, int batch,
                         double lr, double momentum, double weightDecay, boolean nesterov,
                         String schedule, int[] milestones, double gamma, int warmup,
                         double warmupLr, double warmupUntilError, long seed, int val, int ckptEvery,
                         Path init, int numClasses, boolean freezeBackbone, boolean zeroInitResidual,
                         double[] mean, double[] std, boolean skipBad, Path cacheDir, int threads,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer microBatches,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer workers) {

    static StoredTrainConfig of(TrainConfig c) { return of(c, 1); }

    static StoredTrainConfig of(TrainConfig c, int workers) {
        TrainConfig.Model m = c.model();
        TrainConfig.Data d = c.data();
        TrainConfig.Optimizer o = c.optimizer();
        TrainConfig.Schedule s = c.schedule();
        TrainConfig.Run r = c.run();
        Normalization n = d.normalization();
        return new StoredTrainConfig(m.name(), m.shortcut(), d.path(), r.out(), r.epochs(), r.batch(), s.lr(),
                o.momentum(), o.weightDecay(), o.nesterov(), s.kind().name().toLowerCase(Locale.ROOT), s.milestones(),
                s.gamma(), s.warmup(), s.warmupLr(), s.warmupUntilError(), r.seed(), d.val(), r.ckptEvery(), m.init(),
                m.numClasses(), m.freezeBackbone(), m.zeroInitResidual(), n == null ? null : n.mean(),
                n == null ? null : n.std(), d.skipBad(), d.cacheDir(), r.threads(),
                r.microBatches() == 1 ? null : r.microBatches(), workers == 1 ? null : workers);
    }

    /** Workers of the process that wrote it (1 when absent). */
    int writtenByWorkers() { return workers == null ? 1 : workers; }

    TrainConfig toConfig() {
        if ((mean == null) != (std == null)) throw new IllegalArgumentException("a stored mean needs its std");
        return new TrainConfig(
                new TrainConfig.Model(model, shortcut, init, numClasses, freezeBackbone, zeroInitResidual),
                new TrainConfig.Data(data, val, mean == null ? null : new Normalization(mean, std), skipBad, cacheDir),
                new TrainConfig.Optimizer(momentum, weightDecay, nesterov),
                new TrainConfig.Schedule(LrSchedule.Kind.parse(schedule), lr, milestones, gamma, warmup, warmupLr,
                        warmupUntilError),
                new TrainConfig.Run(out, epochs, batch, microBatches == null ? 1 : microBatches, seed, ckptEvery, threads));
    }
}
