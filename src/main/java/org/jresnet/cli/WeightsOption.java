package org.jresnet.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.io.Normalization;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.StateDictKeys;
import org.jresnet.io.TensorData;
import org.jresnet.models.ModelConfig;
import org.jresnet.nn.Shortcut;
import picocli.CommandLine.Option;

/**
 * The options that say which weights to use, shared by eval and predict: a file jresnet wrote
 * (model, classes and normalisation come from its metadata), a PyTorch export (needs --model; the
 * class count is read off the fc weight; --mean/--std default to the CIFAR-10 or ImageNet
 * statistics), or, with no --weights, the ResNet-20 shipped in the repository.
 */
final class WeightsOption {
    @Option(names = "--weights", description = "Weights file (default: the shipped ResNet-20).") Path weights;
    @Option(names = "--model", description = "Network of a file without jresnet metadata (e.g. a PyTorch export).")
    String model;
    @Option(names = "--shortcut", description = "Shortcut option of such a file: A, B or C.") String shortcut;
    @Option(names = "--mean", split = ",", description = "Override the per-channel mean (R,G,B in [0,1]).") double[] mean;
    @Option(names = "--std", split = ",", description = "Override the per-channel std (R,G,B).") double[] std;

    ModelFiles.Loaded load() throws Exception {
        if ((mean == null) != (std == null)) throw new Errors.UsageException("give --mean and --std together");
        if (mean != null && (mean.length != 3 || std.length != 3)) {
            throw new Errors.UsageException("--mean and --std take three values (R,G,B)");
        }
        Path file = weights != null ? weights : Home.bundled(Home.SHIPPED_MODEL);
        SafeTensorsFile f = SafeTensors.read(file);
        ModelFiles.Loaded loaded;
        if (ModelMetadata.isJresnet(f.metadata())) {
            loaded = ModelFiles.load(file);
            if (model != null && !model.equals(loaded.metadata().model())) {
                throw new Errors.UsageException(file + " holds a " + loaded.metadata().model() + ", not a " + model);
            }
        } else {
            if (model == null) {
                throw new Errors.UsageException(file + " has no jresnet metadata; say which network it is with --model"
                        + " (and --mean/--std if it was not trained with the usual statistics)");
            }
            ModelConfig c = ModelConfig.of(model).withNumClasses(classesIn(f, file));
            if (shortcut != null) c = c.withShortcut(Shortcut.parse(shortcut));
            loaded = ModelFiles.load(file, c, true);
        }
        ModelMetadata meta = loaded.metadata();
        if (mean != null) meta = meta.withNormalization(new Normalization(mean, std));
        loaded.model().setTraining(false);
        return new ModelFiles.Loaded(loaded.model(), meta, loaded.report(), loaded.file());
    }

    /** The classifier's size, from the fc (or PyTorch CIFAR code's linear) weight. */
    private static int classesIn(SafeTensorsFile f, Path file) {
        for (var e : f.tensors().entrySet()) {
            String k = StateDictKeys.normalise(e.getKey()).orElse(e.getKey());
            if (k.equals("fc.weight")) {
                TensorData t = e.getValue();
                return t.shape()[0];
            }
        }
        throw new Errors.UsageException(file + " has no fc.weight: not a ResNet classifier");
    }

    static String percent(double f) { return String.format(Locale.ROOT, "%.2f%%", 100 * f); }
}
