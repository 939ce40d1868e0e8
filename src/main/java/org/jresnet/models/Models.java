package org.jresnet.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of networks, as tables like the paper's (Table 1 for ImageNet, section 4.2 for
 * CIFAR-10). Every ResNet has a plain twin of the same depth built by the same code without
 * shortcuts.
 */
public final class Models {
    public enum Block { BASIC, BOTTLENECK }

    /** One row of the table: block type and number of blocks per stage; CIFAR nets have 3 stages. */
    public record Arch(String name, boolean cifar, boolean plain, Block block, int[] blocks) {}

    private static final Map<String, Arch> ARCHS = new LinkedHashMap<>();

    static {
        // ImageNet (Table 1): stages conv2_x..conv5_x = layer1..layer4 with 64, 128, 256, 512 planes.
        imagenet(18, Block.BASIC, 2, 2, 2, 2);
        imagenet(34, Block.BASIC, 3, 4, 6, 3);
        imagenet(50, Block.BOTTLENECK, 3, 4, 6, 3);
        imagenet(101, Block.BOTTLENECK, 3, 4, 23, 3);
        imagenet(152, Block.BOTTLENECK, 3, 8, 36, 3);
        // CIFAR-10 (section 4.2): depth 6n + 2, n basic blocks on each of 16, 32, 64 filters.
        for (int n : new int[] {3, 5, 7, 9, 18, 200}) cifar(6 * n + 2, n);
    }

    private static void imagenet(int depth, Block block, int... blocks) {
        register(new Arch("resnet" + depth, false, false, block, blocks));
        register(new Arch("plain" + depth, false, true, block, blocks));
    }

    private static void cifar(int depth, int n) {
        register(new Arch("resnet" + depth, true, false, Block.BASIC, new int[] {n, n, n}));
        register(new Arch("plain" + depth, true, true, Block.BASIC, new int[] {n, n, n}));
    }

    private static void register(Arch a) { ARCHS.put(a.name(), a); }

    private Models() {}

    /** Every model name, ResNets first then plain nets, by depth. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (Arch a : ARCHS.values()) if (!a.plain()) out.add(a.name());
        for (Arch a : ARCHS.values()) if (a.plain()) out.add(a.name());
        return Collections.unmodifiableList(out);
    }

    public static Arch arch(String name) {
        Arch a = name == null ? null : ARCHS.get(name);
        if (a == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; valid: " + String.join(", ", names()));
        }
        return a;
    }

    public static ResNet create(ModelConfig config) { return ResNetMemory.shareTransientBuffers(new ResNet(config)); }

    /**
     * As {@link #create}, but the weights left at 0 instead of initialised: for a caller that writes
     * every parameter and buffer (a strict load, which writes each of them or fails; a copy of
     * another model). The initialisation draws a normal for every weight: ResNet-50's 25 M take
     * about half a second, as long as the rest of loading it.
     */
    public static ResNet createUninitialized(ModelConfig config) {
        return ResNetMemory.shareTransientBuffers(new ResNet(config, false));
    }

    /** The named model with its defaults ({@link ModelConfig#of}). */
    public static ResNet create(String name) { return create(ModelConfig.of(name)); }
}
