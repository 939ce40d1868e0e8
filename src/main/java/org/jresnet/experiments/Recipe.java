package org.jresnet.experiments;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jresnet.models.Models;
import org.jresnet.nn.Shortcut;
import org.jresnet.train.LrSchedule;
import org.jresnet.train.TrainConfig;

/**
 * The one training recipe every model of an experiment shares (the paper trains plain and residual
 * nets identically): SGD with momentum and weight decay, the train command's cosine schedule with a
 * linear warm-up, the paper's augmentation, normalisation from the training split.
 *
 * @param warmup    warm-up iterations, or -1 for {@link #AUTO_WARMUP_CAP} capped at a tenth of the run
 * @param ckptEvery also checkpoint every this many iterations (0: at epoch ends only); not part of the run's identity
 */
public record Recipe(Path data, int epochs, int batch, double lr, double momentum, double weightDecay, int warmup,
                     long seed, int ckptEvery, Path cacheDir) {
    /** The train command's warm-up; short runs get a tenth of their iterations instead. */
    public static final int AUTO_WARMUP_CAP = 200;
    private static final int AUTO_WARMUP_FRACTION = 10;
    public static final LrSchedule.Kind SCHEDULE = LrSchedule.Kind.COSINE;
    /** The schedule's name as the run key and summary.json have always spelled it. */
    private static final String SCHEDULE_NAME = "cosine";

    public Recipe {
        // What only a recipe adds; every other value is checked by the TrainConfig it makes (config()).
        if (batch < 2) throw new TrainConfig.Invalid("batch", "must be >= 2 (batch normalisation), got " + batch);
        if (warmup < -1) throw new TrainConfig.Invalid("warmup", "must be >= 0, got " + warmup);
        data = data.toAbsolutePath().normalize();
        // the parts check their values here, before any data is read
        new TrainConfig.Optimizer(momentum, weightDecay, false);
        new TrainConfig.Schedule(SCHEDULE, lr, new int[0], 0.1, Math.max(0, warmup), 0, 0.8);
        new TrainConfig.Run(data, epochs, batch, 1, seed, ckptEvery, 1);
    }

    public int warmupIterations(int trainImages) {
        if (warmup >= 0) return warmup;
        long total = (long) (trainImages / batch) * epochs;
        return (int) Math.min(AUTO_WARMUP_CAP, total / AUTO_WARMUP_FRACTION);
    }

    /** The run of {@code model} (with {@code shortcut}; null = the model's default) under this recipe. */
    public TrainConfig config(String model, Shortcut shortcut, Path out, int trainImages, int threads) {
        Shortcut s = shortcut != null ? shortcut : defaultShortcut(model);
        return new TrainConfig(
                new TrainConfig.Model(model, s.name(), null, 0, false, false),
                new TrainConfig.Data(data, 0, null, false, cacheDir),
                new TrainConfig.Optimizer(momentum, weightDecay, false),
                new TrainConfig.Schedule(SCHEDULE, lr, new int[0], 0.1, warmupIterations(trainImages), 0, 0.8),
                new TrainConfig.Run(out, epochs, batch, 1, seed, ckptEvery, threads));
    }

    /**
     * The folder name of a run, readable and unique: model, shortcut, data, epochs, and a hash of
     * everything that defines the weights, e.g. {@code resnet56-A-cifar10-sample-e5-1f3a9c02}.
     */
    public String runKey(String model, Shortcut shortcut, int trainImages) {
        Shortcut s = shortcut != null ? shortcut : defaultShortcut(model);
        String stem = data.getFileName().toString().replaceFirst("\\.zip$", "").replaceAll("[^A-Za-z0-9._-]", "_");
        String defining = String.join("|", model, s.name(), data.toString(), Integer.toString(epochs),
                Integer.toString(batch), Double.toString(lr), Double.toString(momentum), Double.toString(weightDecay),
                Integer.toString(warmupIterations(trainImages)), SCHEDULE_NAME, Long.toString(seed));
        String name = s == Shortcut.NONE ? model : model + "-" + s.name();
        return String.format(Locale.ROOT, "%s-%s-e%d-%08x", name, stem, epochs, defining.hashCode());
    }

    static Shortcut defaultShortcut(String model) {
        Models.Arch a = Models.arch(model);
        return a.plain() ? Shortcut.NONE : a.cifar() ? Shortcut.A : Shortcut.B;
    }

    /** For summary.json: the settings a reader needs to repeat the runs. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data.toString());
        m.put("epochs", epochs);
        m.put("batch", batch);
        m.put("lr", lr);
        m.put("momentum", momentum);
        m.put("weight_decay", weightDecay);
        m.put("schedule", SCHEDULE_NAME);
        m.put("warmup", warmup < 0 ? "auto" : warmup);
        m.put("seed", seed);
        return m;
    }
}
