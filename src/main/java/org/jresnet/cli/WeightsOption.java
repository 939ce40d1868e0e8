package org.jresnet.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.io.Normalization;
import org.jresnet.io.ArchitectureInference;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.StateDictKeys;
import org.jresnet.io.TensorData;
import org.jresnet.io.WeightFiles;
import org.jresnet.models.ModelConfig;
import org.jresnet.nn.Shortcut;
import picocli.CommandLine.Option;

/**
 * The options that say which weights to use, shared by eval and predict: a file jresnet wrote
 * (model, classes and normalisation come from its metadata), a PyTorch checkpoint or export (the
 * model from --model or inferred from the keys; the class count is read off the fc weight;
 * --mean/--std default to the CIFAR-10 or ImageNet statistics), or, with no --weights, the
 * ResNet-20 shipped in the repository.
 */
final class WeightsOption {
    @Option(names = "--weights", description = "Weights: safetensors or a PyTorch checkpoint (.pth, .pt, .th, .pth.tar);"
            + " default: the shipped ResNet-20.") Path weights;
    @Option(names = "--model", description = "Network of a file without jresnet metadata (e.g. a PyTorch export).")
    String model;
    @Option(names = "--shortcut", description = "Shortcut option of such a file: A, B or C.") String shortcut;
    @Option(names = "--mean", split = ",", description = "Override the per-channel mean (R,G,B in [0,1]).") double[] mean;
    @Option(names = "--std", split = ",", description = "Override the per-channel std (R,G,B).") double[] std;

    @Option(names = "--key", description = "Entry of a PyTorch checkpoint that holds the state dict"
            + " (default: the top level, or state_dict, model, model_state_dict, net, network).") String key;

    ModelFiles.Loaded load() throws Exception {
        if ((mean == null) != (std == null)) throw new Errors.UsageException("give --mean and --std together");
        if (mean != null) TrainCommand.checkNormalization(mean, std);
        Path file = weights != null ? weights : Home.bundled(Home.SHIPPED_MODEL);
        ModelFiles.Loaded loaded = resolve(file, model, shortcut, key, mean != null);
        ModelMetadata meta = loaded.metadata();
        if (mean != null) meta = meta.withNormalization(new Normalization(mean, std));
        loaded.model().setTraining(false);
        return new ModelFiles.Loaded(loaded.model(), meta, loaded.report(), loaded.file());
    }

    /**
     * Any weights file (safetensors, or a PyTorch checkpoint read without executing it) into its
     * model: from jresnet metadata, else {@code model} (and {@code shortcut}), else the
     * architecture inferred from the keys and shapes. What was read and inferred goes to stderr, and
     * the input statistics such a file gets unless {@code normalizationGiven} (--mean and --std).
     */
    static ModelFiles.Loaded resolve(Path file, String model, String shortcut, String key, boolean normalizationGiven)
            throws Exception {
        WeightFiles.Read read = WeightFiles.read(file, key);
        SafeTensorsFile f = read.file();
        if (read.pytorch()) note(file + ": " + read.source());
        for (String n : read.notes()) note(n);
        if (Main.debugRequested()) for (String o : read.otherEntries()) note("ignored checkpoint entry " + o);
        ModelFiles.Loaded loaded;
        if (ModelMetadata.isJresnet(f.metadata())) {
            loaded = ModelFiles.load(file, f);
            if (model != null && !model.equals(loaded.metadata().model())) {
                throw new Errors.UsageException(file + " holds a " + loaded.metadata().model() + ", not a " + model);
            }
            // The file says its shortcut; another one given would be silently ignored.
            if (shortcut != null && Shortcut.parse(shortcut) != loaded.metadata().shortcut()) {
                throw new Errors.UsageException(file + " holds a " + loaded.metadata().model() + " with shortcut "
                        + loaded.metadata().shortcut() + "; --shortcut " + shortcut + " is only for files without jresnet metadata");
            }
        } else {
            ModelConfig c;
            if (model != null) {
                c = ModelConfig.of(model).withNumClasses(classesIn(f, file));
            } else {
                try {
                    ArchitectureInference.Inferred inf = ArchitectureInference.infer(f.tensors());
                    note(inf.description());
                    c = inf.config();
                } catch (ArchitectureInference.Ambiguous e) {
                    throw new Errors.UsageException(file + " has no jresnet metadata and "
                            + e.advice("say which network it is with --model"));
                }
            }
            if (shortcut != null) c = c.withShortcut(Shortcut.parse(shortcut));
            loaded = ModelFiles.load(file, f, c, true);
            if (!normalizationGiven) {
                // the input statistics change every accuracy a little: say which ones the file did not name
                Normalization n = loaded.metadata().normalization();
                String which = n.equals(ModelMetadata.CIFAR10) ? "CIFAR-10's"
                        : n.equals(Normalization.IMAGENET) ? "ImageNet's" : "default";
                note("no input normalisation in the file: " + which + " statistics, " + n + " (--mean and --std give others)");
            }
        }
        if (!loaded.report().filled().isEmpty()) {
            note(loaded.report().filled().size() + " num_batches_tracked buffers missing (saved before PyTorch 0.4.1):"
                    + " set to 0, as PyTorch does");
        }
        return loaded;
    }

    private static void note(String s) {
        System.err.println("note: " + s);
    }

    /** The classifier's size, from the fc (or PyTorch CIFAR code's linear) weight. */
    static int classesIn(SafeTensorsFile f, Path file) {
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
