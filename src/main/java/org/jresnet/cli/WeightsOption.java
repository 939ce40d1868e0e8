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
 * The options that say which weights to use, shared by eval, predict, explain and export: a file jresnet
 * wrote (model, classes and normalisation come from its metadata), a PyTorch checkpoint or export
 * (the model from --model or inferred from the keys, with --shortcut and --variant where the keys
 * cannot tell; the class count is read off the fc weight; --mean/--std default to the CIFAR-10 or
 * ImageNet statistics), or, with no --weights, the ResNet-20 shipped in the repository.
 */
public final class WeightsOption {
    @Option(names = "--weights", description = "Weights: safetensors or a PyTorch checkpoint (.pth, .pt, .th, .pth.tar);"
            + " default: the shipped ResNet-20.") Path weights;
    @Option(names = "--model", description = "Network of a file without jresnet metadata (e.g. a PyTorch export).")
    String model;
    @Option(names = "--shortcut", description = "Shortcut option of such a file: A, B or C.") String shortcut;
    @Option(names = "--variant", description = VARIANT_HELP) String variant;
    @Option(names = "--mean", split = ",", description = "Override the per-channel mean (R,G,B in [0,1]).") double[] mean;
    @Option(names = "--std", split = ",", description = "Override the per-channel std (R,G,B).") double[] std;

    @Option(names = "--key", description = "Entry of a PyTorch checkpoint that holds the state dict"
            + " (default: the top level, or state_dict, model, model_state_dict, net, network).") String key;

    /** --variant's help, convert's too. */
    static final String VARIANT_HELP = "Where the bottlenecks of a file without jresnet metadata stride: v1.5, on the 3x3"
            + " (torchvision; default), or v1, on the first 1x1 (the paper). Only this says it: the weights have the"
            + " same shapes either way.";

    ModelFiles.Loaded load() throws Exception {
        return load(weights != null ? weights : Home.bundled(Home.SHIPPED_MODEL), model, shortcut, variant, key, mean, std);
    }

    /**
     * The weights these options describe, for commands with a --weights of their own (the Spark
     * commands): the same checks, notes and errors ({@link Errors.UsageException} for a bad option).
     */
    public static ModelFiles.Loaded load(Path file, String model, String shortcut, String variant, String key,
                                         double[] mean, double[] std) throws Exception {
        if ((mean == null) != (std == null)) throw new Errors.UsageException("give --mean and --std together");
        if (mean != null) TrainCommand.checkNormalization(mean, std);
        ModelFiles.Loaded loaded = resolve(file, model, shortcut, variant, key, mean != null);
        ModelMetadata meta = loaded.metadata();
        if (mean != null) meta = meta.withNormalization(new Normalization(mean, std));
        loaded.model().setTraining(false);
        return new ModelFiles.Loaded(loaded.model(), meta, loaded.report(), loaded.file());
    }

    /**
     * Any weights file (safetensors, or a PyTorch checkpoint read without executing it) into its
     * model: from jresnet metadata, else {@code model} (and {@code shortcut}, {@code variant}), else
     * the architecture inferred from the keys and shapes. What was read and inferred goes to stderr,
     * and the input statistics such a file gets unless {@code normalizationGiven} (--mean and --std).
     */
    static ModelFiles.Loaded resolve(Path file, String model, String shortcut, String variant, String key,
                                     boolean normalizationGiven) throws Exception {
        // a misspelt value fails before a large checkpoint is read
        Boolean strideOn3x3 = variant == null ? null : ModelConfig.parseVariant(variant);
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
            if (strideOn3x3 != null && strideOn3x3 != loaded.metadata().strideOn3x3()) {
                throw new Errors.UsageException(file + " holds a " + loaded.metadata().model() + " of variant "
                        + ModelConfig.variantName(loaded.metadata().strideOn3x3()) + "; --variant " + variant
                        + " is only for files without jresnet metadata");
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
            if (strideOn3x3 != null) {
                // v1 on a basic-block net would be recorded in the metadata and change nothing: a
                // mistaken belief about the file, better said than kept
                if (!strideOn3x3 && !c.bottleneck()) {
                    throw new Errors.UsageException("--variant " + variant + " places a bottleneck's stride; " + c.name()
                            + " has basic blocks, where v1 and v1.5 are the same network");
                }
                c = c.withStrideOn3x3(strideOn3x3);
            } else if (c.bottleneck()) {
                note(c.name() + ": stride on the 3x3 (torchvision's v1.5) assumed: the weights cannot tell;"
                        + " --variant v1 if it is on the first 1x1 (the paper's)");
            }
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
