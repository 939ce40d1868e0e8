package org.jresnet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jresnet.models.ModelConfig;
import org.jresnet.models.Models;
import org.jresnet.models.ResNet;
import org.jresnet.nn.BasicBlock;
import org.jresnet.nn.Bottleneck;
import org.jresnet.nn.Conv2d;
import org.jresnet.nn.Layer;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.nn.Shortcut;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a model's stages: output shape, parameters and multiply-adds per image.")
final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "NAME",
            description = "Model name, e.g. resnet50, resnet20, plain56 (see the error for the full list).")
    String model;

    @Option(names = "--shortcut", paramLabel = "A|B|C",
            description = "Shortcut option (default: B for ImageNet nets, A for CIFAR nets; plain nets have none).")
    String shortcut;

    @Option(names = "--classes", paramLabel = "K", description = "Number of classes (default: 1000 ImageNet, 10 CIFAR).")
    Integer classes;

    @Option(names = "--input", paramLabel = "CxHxW", description = "Input size (default 3x224x224 ImageNet, 3x32x32 CIFAR).")
    String input;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--compare-blocks",
            description = "Compare a basic block on 256 channels with a bottleneck 256->64->256 (paper Fig. 5).")
    boolean compareBlocks;

    /** The paper's Fig. 5 setting: 256-d input on the 56x56 maps of conv2_x. */
    private static final int COMPARE_CHANNELS = 256, COMPARE_WIDTH = 64, COMPARE_MAP = 56;

    @Override public Integer call() throws Exception {
        if (compareBlocks) return compareBlocks();
        if (model == null) throw new Errors.UsageException("summary needs --model NAME (or --compare-blocks)");
        ModelConfig config = config(model, shortcut, classes);
        int[] chw = input == null ? (config.cifar() ? new int[] {3, 32, 32} : new int[] {3, 224, 224}) : parseInput(input);
        ResNet net = Models.create(config);
        int[] nhwc = {1, chw[1], chw[2], chw[0]};
        List<ResNet.StageInfo> stages;
        try {
            stages = net.summary(nhwc);
        } catch (IllegalArgumentException e) {
            throw new Errors.UsageException("input " + chw[0] + "x" + chw[1] + "x" + chw[2] + " does not fit " + model
                    + ": " + e.getMessage());
        }
        long params = net.parameterCount(), macs = net.macs(nhwc);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", config.name());
        out.put("shortcut", config.shortcut() == Shortcut.NONE ? "none" : config.shortcut().name());
        out.put("variant", config.variant());
        out.put("num_classes", config.numClasses());
        out.put("input", chw);
        out.put("params", params);
        out.put("macs", macs);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ResNet.StageInfo s : stages) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", s.name());
            r.put("output", chw(s.outputShape()));
            r.put("params", s.params());
            r.put("macs", s.macs());
            rows.add(r);
        }
        out.put("stages", rows);
        if (json) {
            Json.print(out);
            return 0;
        }
        System.out.printf("%s (shortcut %s%s), input %s%n", config.name(), out.get("shortcut"),
                // only a bottleneck has two places for its stride (resnet18/34 have one, as the CIFAR nets)
                !config.bottleneck() ? "" : ", stride on the " + (config.strideOn3x3() ? "3x3" : "first 1x1") + " (" + config.variant() + ")",
                shape(chw));
        System.out.printf("%-9s %-14s %14s %18s%n", "stage", "output", "params", "multiply-adds");
        for (ResNet.StageInfo s : stages) {
            System.out.printf("%-9s %-14s %,14d %,18d%n", s.name(), shape(chw(s.outputShape())), s.params(), s.macs());
        }
        System.out.printf("%-9s %-14s %,14d %,18d%n", "total", "", params, macs);
        System.out.printf("%.2f M parameters, %.3f G multiply-adds per image%n", params / 1e6, macs / 1e9);
        return 0;
    }

    private int compareBlocks() throws Exception {
        int[] in = {1, COMPARE_MAP, COMPARE_MAP, COMPARE_CHANNELS};
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(blockRow("basic", COMPARE_CHANNELS + "->" + COMPARE_CHANNELS + "->" + COMPARE_CHANNELS + " (3x3, 3x3)",
                new BasicBlock(COMPARE_CHANNELS, COMPARE_CHANNELS, 1, Shortcut.A), in));
        rows.add(blockRow("bottleneck", COMPARE_CHANNELS + "->" + COMPARE_WIDTH + "->" + COMPARE_CHANNELS + " (1x1, 3x3, 1x1)",
                new Bottleneck(COMPARE_CHANNELS, COMPARE_WIDTH, 1, Shortcut.A, true), in));
        double ratio = ((Number) rows.get(0).get("conv_weights")).doubleValue()
                / ((Number) rows.get(1).get("conv_weights")).doubleValue();
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("input", new int[] {COMPARE_CHANNELS, COMPARE_MAP, COMPARE_MAP});
            out.put("blocks", rows);
            out.put("weight_ratio", Math.round(ratio * 100) / 100.0);
            Json.print(out);
            return 0;
        }
        System.out.printf("Block designs on a %dx%dx%d input (identity shortcut):%n", COMPARE_CHANNELS, COMPARE_MAP, COMPARE_MAP);
        System.out.printf("%-11s %-32s %14s %18s%n", "block", "channels", "conv weights", "multiply-adds");
        for (Map<String, Object> r : rows) {
            System.out.printf("%-11s %-32s %,14d %,18d%n", r.get("block"), r.get("channels"), r.get("conv_weights"), r.get("macs"));
        }
        System.out.printf("the bottleneck holds %.2fx fewer weights%n", ratio);
        return 0;
    }

    private static Map<String, Object> blockRow(String name, String channels, ResidualBlock block, int[] in) {
        long weights = 0;
        for (Layer m : block.modules().values()) if (m instanceof Conv2d c) weights += c.weight.size();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("block", name);
        r.put("channels", channels);
        r.put("conv_weights", weights);
        r.put("params", block.parameterCount());
        r.put("macs", block.macs(in));
        return r;
    }

    static ModelConfig config(String model, String shortcut, Integer classes) {
        ModelConfig c = ModelConfig.of(model);
        if (shortcut != null) c = c.withShortcut(Shortcut.parse(shortcut));
        if (classes != null) c = c.withNumClasses(classes);
        return c;
    }

    /** Largest input side: far past any image these nets take, and short of where the counts overflow. */
    static final int MAX_SIDE = 16_384;

    /** "3x224x224" (or "224", meaning 3 channels, square) -> {C, H, W}. */
    static int[] parseInput(String s) {
        String[] p = s.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            int[] v = new int[p.length];
            for (int i = 0; i < p.length; i++) v[i] = Integer.parseInt(p[i].trim());
            int[] chw = switch (v.length) {
                case 1 -> new int[] {3, v[0], v[0]};
                case 2 -> new int[] {3, v[0], v[1]};
                case 3 -> v;
                default -> null;
            };
            if (chw != null && chw[0] == 3 && chw[1] > 0 && chw[2] > 0) {
                if (chw[1] > MAX_SIDE || chw[2] > MAX_SIDE) {
                    throw new Errors.UsageException("--input sides are at most " + MAX_SIDE + " pixels, got '" + s + "'");
                }
                return chw;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Errors.UsageException("--input is CxHxW with 3 channels (3x224x224), HxW or one size (224), got '" + s + "'");
    }

    /** NHWC (or [N,F]) of one image -> the PyTorch-style CxHxW (or F). */
    private static int[] chw(int[] s) {
        return s.length == 4 ? new int[] {s[3], s[1], s[2]} : new int[] {s[1]};
    }

    private static String shape(int[] s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length; i++) b.append(i > 0 ? "x" : "").append(s[i]);
        return b.toString();
    }
}
