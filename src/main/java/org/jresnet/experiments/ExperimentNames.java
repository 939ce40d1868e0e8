package org.jresnet.experiments;

import org.jresnet.models.ModelConfig;
import org.jresnet.nn.Shortcut;

/** How experiments label models: "plain-56", "ResNet-56", "ResNet-20 (B)" as in the paper's figures. */
final class ExperimentNames {
    private ExperimentNames() {}

    static String display(ModelConfig c) {
        String depth = c.name().replaceAll("\\D", "");
        if (c.shortcut() == Shortcut.NONE) return "plain-" + depth;
        return c.shortcut() == Shortcut.A || !c.cifar() ? "ResNet-" + depth : "ResNet-" + depth + " (" + c.shortcut() + ")";
    }

    static int depth(ModelConfig c) { return Integer.parseInt(c.name().replaceAll("\\D", "")); }

    static String plain(int depth) { return "plain" + depth; }

    static String resnet(int depth) { return "resnet" + depth; }
}
