package org.jresnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.io.ArchitectureInference;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.WeightFiles;
import org.jresnet.models.ResNet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code convert IN OUT}: a PyTorch checkpoint (or any weights file) to safetensors. When the model
 * is known (metadata, --model, or inferred from the keys) the weights are loaded strictly into it
 * and written with torchvision's keys and jresnet's metadata; otherwise, and only with --raw, the
 * state dict is written as it is, without metadata.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a PyTorch checkpoint (.pth, .pt, .th, .pth.tar) to safetensors with jresnet's metadata.",
            "The checkpoint is read in pure Java; nothing in it is executed."})
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "PyTorch checkpoint or safetensors file.") Path in;
    @Parameters(index = "1", paramLabel = "OUT", description = "safetensors file to write.") String outName;
    @Option(names = "--model", description = "Network (default: from the file's metadata or inferred from its keys).") String model;
    @Option(names = "--shortcut", description = "Shortcut option: A, B or C (default: inferred).") String shortcut;
    @Option(names = "--variant", description = WeightsOption.VARIANT_HELP) String variant;
    @Option(names = "--key", description = "Checkpoint entry holding the state dict (default: where checkpoints keep it).")
    String key;
    @Option(names = "--mean", split = ",", description = "Per-channel mean to store (R,G,B in [0,1]).") double[] mean;
    @Option(names = "--std", split = ",", description = "Per-channel std to store (R,G,B).") double[] std;
    @Option(names = "--raw", description = "When the model cannot be told, write the state dict as it is, without metadata.")
    boolean raw;
    @Option(names = "--force", description = "Overwrite OUT.") boolean force;

    @Override public Integer call() throws Exception {
        if ((mean == null) != (std == null)) throw new Errors.UsageException("give --mean and --std together");
        if (mean != null && (mean.length != 3 || std.length != 3)) {
            throw new Errors.UsageException("--mean and --std take three values (R,G,B)");
        }
        Path out = OutputFile.check(outName, "OUT", force);
        if (raw && model == null) {
            WeightFiles.Read r = WeightFiles.read(in, key);
            try {
                ArchitectureInference.infer(r.file().tensors());
            } catch (ArchitectureInference.Ambiguous e) {
                // a raw copy has no model for them to describe: say so rather than drop them
                if (shortcut != null || variant != null || mean != null) {
                    throw new Errors.UsageException("--shortcut, --variant, --mean and --std describe a model, and " + in
                            + " is written as it is (" + e.getMessage() + "); name the model with --model, or leave them out");
                }
                SafeTensors.write(out, r.file().tensors(), r.file().metadata());
                System.out.printf(Locale.ROOT, "wrote %s: %d tensors as they are, without jresnet metadata (%s)%n", out,
                        r.file().tensors().size(), e.getMessage());
                return 0;
            }
        }
        ModelFiles.Loaded loaded = WeightsOption.resolve(in, model, shortcut, variant, key, mean != null);
        ModelMetadata meta = loaded.metadata();
        if (mean != null) {
            meta = meta.withNormalization(new org.jresnet.io.Normalization(mean, std));
        }
        ResNet net = loaded.model();
        ModelFiles.save(out, net, meta);
        var c = net.config;
        System.out.printf(Locale.ROOT, "wrote %s: %s (shortcut %s, %s%d classes), %d tensors, mean %s std %s%n", out, c.name(),
                c.shortcut(), c.bottleneck() ? "variant " + c.variant() + ", " : "", c.numClasses(),
                ModelFiles.stateDict(net).size(), floats(meta.normalization().mean()), floats(meta.normalization().std()));
        return 0;
    }

    /** Stored statistics are float32: print them as such, not as their double expansions. */
    private static String floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return java.util.Arrays.toString(f);
    }
}
