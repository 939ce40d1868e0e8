package org.jresnet.io;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.nn.Shortcut;

/**
 * Which registered network a state dict without metadata belongs to, read off its keys and shapes:
 * the stem (7x7, 64 filters: ImageNet; 3x3, 16 filters: CIFAR), the block kind (a {@code conv3}:
 * bottleneck), the blocks per stage, the widths, the shortcut option (projections where the shape
 * changes: B; on every block: C; none: A) and the classes ({@code fc.weight}). Keys are read through
 * {@link StateDictKeys}, so DataParallel and CIFAR-code names work too.
 *
 * <p>For CIFAR nets without projections the description says that a plain net has the same keys
 * (as option A). An ImageNet net without projections (option A or plain) is ambiguous: the caller
 * must name the model. A bottleneck's stride placement cannot be told at all (the same shapes
 * either way): the config has {@link ModelConfig#of}'s, torchvision's v1.5, and saying so is the
 * caller's, who knows whether the user named one.
 */
public final class ArchitectureInference {
    private static final Pattern BLOCK = Pattern.compile("^layer(\\d+)\\.(\\d+)\\.");
    private static final int CIFAR_WIDTH = 16, IMAGENET_WIDTH = 64, BOTTLENECK_EXPANSION = 4;

    private ArchitectureInference() {}

    /** The model and one line saying what was inferred from what. */
    public record Inferred(ModelConfig config, String description) {}

    /**
     * Thrown when the keys do not determine one registered model; the message says what to pass.
     * {@link #noneFits}: the file is a ResNet variant no registered model is (so --model cannot help).
     */
    public static final class Ambiguous extends Exception {
        private final boolean noneFits;

        Ambiguous(String m) { this(m, false); }

        Ambiguous(String m, boolean noneFits) {
            super(m);
            this.noneFits = noneFits;
        }

        public boolean noneFits() { return noneFits; }

        /** The message and, when a model name could help, how to give it ({@code how}: e.g. "--model resnet50"). */
        public String advice(String how) { return getMessage() + (noneFits ? "" : "; " + how); }
    }

    public static Inferred infer(Map<String, TensorData> tensors) throws Ambiguous {
        Map<String, int[]> shapes = new HashMap<>();
        for (var e : tensors.entrySet()) shapes.put(StateDictKeys.normalise(e.getKey()).orElse(e.getKey()), e.getValue().shape());

        int[] stem = shapes.get("conv1.weight"), fc = shapes.get("fc.weight");
        if (stem == null || stem.length != 4) throw new Ambiguous("no conv1.weight of a ResNet stem");
        if (fc == null || fc.length != 2) throw new Ambiguous("no fc.weight (a ResNet classifier)");
        boolean cifar;
        if (stem[2] == 7 && stem[3] == 7 && stem[0] == IMAGENET_WIDTH) cifar = false;
        else if (stem[2] == 3 && stem[3] == 3 && stem[0] == CIFAR_WIDTH) cifar = true;
        else throw new Ambiguous("stem conv1.weight " + Arrays.toString(stem) + " is neither ImageNet's 7x7x64 nor CIFAR's 3x3x16");

        int stages = 0;
        int[] blocks = new int[8];
        Set<String> projected = new LinkedHashSet<>();
        for (String k : shapes.keySet()) {
            Matcher m = BLOCK.matcher(k);
            if (!m.find()) continue;
            int s = Integer.parseInt(m.group(1)), i = Integer.parseInt(m.group(2));
            if (s < 1 || s > blocks.length || i > 10_000) throw new Ambiguous("unexpected key " + k);
            stages = Math.max(stages, s);
            blocks[s - 1] = Math.max(blocks[s - 1], i + 1);
            if (k.contains(".downsample.")) projected.add(s + "." + i);
        }
        int[] perStage = Arrays.copyOf(blocks, stages);
        boolean bottleneck = shapes.containsKey("layer1.0.conv3.weight");
        Models.Block kind = bottleneck ? Models.Block.BOTTLENECK : Models.Block.BASIC;
        String name = null;
        for (String n : Models.names()) {
            Models.Arch a = Models.arch(n);
            if (!a.plain() && a.cifar() == cifar && a.block() == kind && Arrays.equals(a.blocks(), perStage)) name = n;
        }
        String layout = (cifar ? "CIFAR" : "ImageNet") + " stem, " + (bottleneck ? "bottleneck" : "basic") + " blocks "
                + join(perStage);
        if (name == null) throw new Ambiguous(layout + ": no registered ResNet has these blocks per stage");

        int base = cifar ? CIFAR_WIDTH : IMAGENET_WIDTH;
        int[] widths = new int[stages];
        for (int s = 1; s <= stages; s++) {
            int[] w = shapes.get("layer" + s + ".0.conv1.weight");
            int want = base << (s - 1);
            if (w == null || w[0] != want) {
                throw new Ambiguous(layout + ": stage " + s + " has width " + (w == null ? "?" : w[0]) + " where " + name
                        + " has " + want + " (a wider or grouped variant, such as Wide ResNet or ResNeXt, is not one of"
                        + " jresnet's networks)", w != null);
            }
            widths[s - 1] = bottleneck ? want * BOTTLENECK_EXPANSION : want;
        }

        Set<String> optionB = new LinkedHashSet<>(), all = new LinkedHashSet<>();
        for (int s = 1; s <= stages; s++) {
            for (int i = 0; i < perStage[s - 1]; i++) all.add(s + "." + i);
            if (s > 1 || bottleneck) optionB.add(s + ".0");
        }
        Shortcut shortcut;
        String note = "";
        if (projected.equals(optionB)) shortcut = Shortcut.B;
        else if (projected.equals(all)) shortcut = Shortcut.C;
        else if (projected.isEmpty() && cifar) {
            shortcut = Shortcut.A;
            note = "; a " + name.replace("resnet", "plain") + " has the same keys: pass --model "
                    + name.replace("resnet", "plain") + " if it is one";
        } else if (projected.isEmpty()) {
            throw new Ambiguous(layout + " without projection shortcuts: " + name + " with option A or "
                    + name.replace("resnet", "plain") + "; say which with --model");
        } else {
            throw new Ambiguous(layout + ": projection shortcuts on blocks " + projected + " match no shortcut option");
        }
        int classes = fc[0];
        ModelConfig config = ModelConfig.of(name).withShortcut(shortcut).withNumClasses(classes);
        return new Inferred(config, "inferred " + name + " (" + layout + ", widths " + join(widths) + ", shortcut "
                + shortcut + ", " + classes + " classes)" + note);
    }

    private static String join(int[] a) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < a.length; i++) b.append(i > 0 ? "-" : "").append(a[i]);
        return b.toString();
    }
}
