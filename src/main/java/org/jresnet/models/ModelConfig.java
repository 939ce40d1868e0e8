package org.jresnet.models;

import java.util.Locale;
import org.jresnet.nn.Shortcut;

/**
 * What to build: a registered name ({@link Models#names()}), the classifier size, the shortcut
 * option (plain nets: {@link Shortcut#NONE}), where a bottleneck puts its stride (true: on the
 * 3x3, torchvision v1.5; false: on the first 1x1, the paper's v1), whether the last BN gamma of
 * each block starts at zero, and the initialisation seed.
 */
public record ModelConfig(String name, int numClasses, Shortcut shortcut, boolean strideOn3x3,
                          boolean zeroInitResidual, long seed) {

    public ModelConfig {
        Models.Arch arch = Models.arch(name);
        if (numClasses < 1) throw new IllegalArgumentException("number of classes must be >= 1, got " + numClasses);
        if (shortcut == null) throw new IllegalArgumentException("shortcut option missing");
        if (arch.plain() && shortcut != Shortcut.NONE) {
            throw new IllegalArgumentException(name + " is a plain net: it has no shortcut (got option " + shortcut + ")");
        }
        if (!arch.plain() && shortcut == Shortcut.NONE) {
            throw new IllegalArgumentException(name + " needs shortcut A, B or C; the net without shortcuts is "
                    + name.replace("resnet", "plain"));
        }
        if (arch.plain() && zeroInitResidual) {
            throw new IllegalArgumentException("zero-init of the last BN in each block needs shortcuts; " + name + " has none");
        }
    }

    /** Defaults: ImageNet nets 1000 classes, option B, stride on the 3x3; CIFAR nets 10 classes, option A; seed 0. */
    public static ModelConfig of(String name) {
        Models.Arch arch = Models.arch(name);
        Shortcut s = arch.plain() ? Shortcut.NONE : arch.cifar() ? Shortcut.A : Shortcut.B;
        return new ModelConfig(name, arch.cifar() ? 10 : 1000, s, true, false, 0L);
    }

    public boolean cifar() { return Models.arch(name).cifar(); }

    /** Only a bottleneck has two places for its stride, so only these nets have a v1 and a v1.5. */
    public boolean bottleneck() { return Models.arch(name).block() == Models.Block.BOTTLENECK; }

    /** {@link #strideOn3x3} as metadata and --variant spell it. */
    public String variant() { return variantName(strideOn3x3); }

    public static String variantName(boolean strideOn3x3) { return strideOn3x3 ? "v1.5" : "v1"; }

    /**
     * "v1.5" (true: stride on the 3x3, torchvision) or "v1" (false: on the first 1x1, the paper),
     * as metadata and --variant spell them, case aside; the one parser of both, so a value one
     * accepts the other reads back.
     */
    public static boolean parseVariant(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("v1.5")) return true;
        if (v.equals("v1")) return false;
        throw new IllegalArgumentException("unknown variant '" + s + "'; valid: v1.5, v1");
    }

    public ModelConfig withNumClasses(int k) { return new ModelConfig(name, k, shortcut, strideOn3x3, zeroInitResidual, seed); }
    public ModelConfig withShortcut(Shortcut s) { return new ModelConfig(name, numClasses, s, strideOn3x3, zeroInitResidual, seed); }
    public ModelConfig withStrideOn3x3(boolean on) { return new ModelConfig(name, numClasses, shortcut, on, zeroInitResidual, seed); }
    public ModelConfig withZeroInitResidual(boolean on) { return new ModelConfig(name, numClasses, shortcut, strideOn3x3, on, seed); }
    public ModelConfig withSeed(long s) { return new ModelConfig(name, numClasses, shortcut, strideOn3x3, zeroInitResidual, s); }
}
