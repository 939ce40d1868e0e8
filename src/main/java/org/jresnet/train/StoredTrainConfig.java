package org.jresnet.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.io.Normalization;

/**
 * A {@link TrainConfig} as a checkpoint stores it: one flat JSON object, the same keys in the same
 * order as every checkpoint written before the config had parts (including the committed runs in
 * {@code docs/results}), so old checkpoints resume and new ones read the same. Fields added since
 * are written only when they differ from what a run had before they existed, and read as that when
 * absent: {@code microBatches} (1), {@code labelSmoothing} (0), {@code ttaFlip} (false),
 * {@code ttaTranslate} (false), {@code cropEpochs} and {@code cropSize} (0: none), {@code testEvery} (1), {@code variant} (null: the init file's, else v1.5), and the one-cycle shape ({@code pctStart}, {@code divFactor},
 * {@code finalDivFactor}, {@code annealStrategy}: only with the onecycle schedule), and
 * {@code workers} (1: the data-parallel workers of the process that wrote the checkpoint, e.g. a
 * Spark run's; not part of the run's definition ({@code microBatches} is), so {@link #toConfig}
 * leaves it out.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
record StoredTrainConfig(String model, String shortcut, Path data, Path out, int epochs, int batch,
                         double lr, double momentum, double weightDecay, boolean nesterov,
                         String schedule, int[] milestones, double gamma, int warmup,
                         double warmupLr, double warmupUntilError, long seed, int val, int ckptEvery,
                         Path init, int numClasses, boolean freezeBackbone, boolean zeroInitResidual,
                         double[] mean, double[] std, boolean skipBad, Path cacheDir, int threads,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer microBatches,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer workers,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double labelSmoothing,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Boolean ttaFlip,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer testEvery,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double pctStart,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double divFactor,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Double finalDivFactor,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String annealStrategy,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Boolean ttaTranslate,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer cropEpochs,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Integer cropSize,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String variant) {

    static StoredTrainConfig of(TrainConfig c) { return of(c, 1); }

    static StoredTrainConfig of(TrainConfig c, int workers) {
        TrainConfig.Model m = c.model();
        TrainConfig.Data d = c.data();
        TrainConfig.Optimizer o = c.optimizer();
        TrainConfig.Schedule s = c.schedule();
        TrainConfig.Run r = c.run();
        Normalization n = d.normalization();
        TrainConfig.OneCycle oc = s.oneCycle();
        return new StoredTrainConfig(m.name(), m.shortcut(), d.path(), r.out(), r.epochs(), r.batch(), s.lr(),
                o.momentum(), o.weightDecay(), o.nesterov(), s.kind().name().toLowerCase(Locale.ROOT), s.milestones(),
                s.gamma(), s.warmup(), s.warmupLr(), s.warmupUntilError(), r.seed(), d.val(), r.ckptEvery(), m.init(),
                m.numClasses(), m.freezeBackbone(), m.zeroInitResidual(), n == null ? null : n.mean(),
                n == null ? null : n.std(), d.skipBad(), d.cacheDir(), r.threads(),
                r.microBatches() == 1 ? null : r.microBatches(), workers == 1 ? null : workers,
                o.labelSmoothing() == 0 ? null : o.labelSmoothing(), d.ttaFlip() ? Boolean.TRUE : null,
                r.testEvery() == 1 ? null : r.testEvery(), oc == null ? null : oc.pctStart(),
                oc == null ? null : oc.divFactor(), oc == null ? null : oc.finalDivFactor(),
                oc == null ? null : oc.annealStrategy(), d.ttaTranslate() ? Boolean.TRUE : null,
                d.cropEpochs() == 0 ? null : d.cropEpochs(), d.cropEpochs() == 0 ? null : d.cropSize(), m.variant());
    }

    /** Workers of the process that wrote it (1 when absent). */
    int writtenByWorkers() { return workers == null ? 1 : workers; }

    TrainConfig toConfig() {
        if ((mean == null) != (std == null)) throw new IllegalArgumentException("a stored mean needs its std");
        if ((pctStart == null) != (annealStrategy == null) || (pctStart == null) != (divFactor == null)
                || (pctStart == null) != (finalDivFactor == null)) {
            throw new IllegalArgumentException("a stored one-cycle schedule needs pctStart, divFactor, finalDivFactor"
                    + " and annealStrategy together");
        }
        TrainConfig.OneCycle oc = pctStart == null ? null
                : new TrainConfig.OneCycle(pctStart, divFactor, finalDivFactor, TrainConfig.OneCycle.parseLinear(annealStrategy));
        return new TrainConfig(
                new TrainConfig.Model(model, shortcut, init, numClasses, freezeBackbone, zeroInitResidual, variant),
                new TrainConfig.Data(data, val, mean == null ? null : new Normalization(mean, std), skipBad, cacheDir,
                        ttaFlip != null && ttaFlip, ttaTranslate != null && ttaTranslate,
                        cropEpochs == null ? 0 : cropEpochs, cropSize == null ? 0 : cropSize),
                new TrainConfig.Optimizer(momentum, weightDecay, nesterov, labelSmoothing == null ? 0 : labelSmoothing),
                new TrainConfig.Schedule(LrSchedule.Kind.parse(schedule), lr, milestones, gamma, warmup, warmupLr,
                        warmupUntilError, oc),
                new TrainConfig.Run(out, epochs, batch, microBatches == null ? 1 : microBatches, seed, ckptEvery, threads,
                        testEvery == null ? 1 : testEvery));
    }
}
