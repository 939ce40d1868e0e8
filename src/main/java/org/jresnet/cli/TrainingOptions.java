package org.jresnet.cli;

import java.nio.file.Path;
import java.util.Map;
import org.jresnet.train.ProgressReporter;
import picocli.CommandLine.Option;

/**
 * The training options the train and experiment commands share, and the flag of each
 * {@link org.jresnet.train.TrainConfig} field, so a bad value is reported by the flag the user typed.
 */
final class TrainingOptions {
    @Option(names = "--data", description = "CIFAR-10 binary folder, ImageFolder folder or zip (default: the bundled sample).")
    Path data;
    @Option(names = "--batch", description = "Batch size (default ${DEFAULT-VALUE}).") int batch = 128;
    @Option(names = "--lr", description = "Base learning rate (default ${DEFAULT-VALUE}).") double lr = 0.1;
    @Option(names = "--momentum", description = "SGD momentum (default ${DEFAULT-VALUE}).") double momentum = 0.9;
    @Option(names = "--weight-decay", description = "L2 weight decay (default ${DEFAULT-VALUE}).") double weightDecay = 1e-4;
    @Option(names = "--seed", description = "Seed of initialisation, data order and augmentation (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--ckpt-every", description = "Also checkpoint every N iterations (default: each epoch only).")
    int ckptEvery;
    @Option(names = "--cache-dir", description = "Decoded-image cache (default ~/.cache/jresnet).") Path cacheDir;
    @Option(names = "--quiet", description = "No progress output.") boolean quiet;

    /** The flag of each config field (TrainConfig's record components). */
    static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("numClasses", "--num-classes"), Map.entry("val", "--val"), Map.entry("momentum", "--momentum"),
            Map.entry("weightDecay", "--weight-decay"), Map.entry("nesterov", "--nesterov"),
            Map.entry("schedule", "--schedule"), Map.entry("lr", "--lr"), Map.entry("warmup", "--warmup"),
            Map.entry("warmupLr", "--warmup-lr"), Map.entry("warmupUntilError", "--warmup-until-error"),
            Map.entry("milestones", "--milestones"), Map.entry("gamma", "--gamma"), Map.entry("epochs", "--epochs"),
            Map.entry("batch", "--batch"), Map.entry("microBatches", "--micro-batches"),
            Map.entry("ckptEvery", "--ckpt-every"), Map.entry("threads", "--threads"), Map.entry("seed", "--seed"),
            Map.entry("freezeBackbone", "--freeze-backbone"), Map.entry("labelSmoothing", "--label-smoothing"),
            Map.entry("pctStart", "--pct-start"), Map.entry("divFactor", "--div-factor"),
            Map.entry("finalDivFactor", "--final-div-factor"), Map.entry("annealStrategy", "--anneal-strategy"),
            Map.entry("testEvery", "--test-every"), Map.entry("cropEpochs", "--crop-epochs"),
            Map.entry("cropSize", "--crop-size"), Map.entry("variant", "--variant"));

    Path dataOrSample() { return data != null ? data : Home.bundled(Home.SAMPLE_DATA); }

    ProgressReporter progress() {
        return new ProgressReporter(quiet ? ProgressReporter.Mode.QUIET : ProgressReporter.auto());
    }
}
