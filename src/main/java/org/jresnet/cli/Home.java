package org.jresnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The installation folder (the repository), where the bundled CIFAR-10 sample and the shipped
 * ResNet-20 live: {@code -Djresnet.home} (set by bin/jresnet), else the folder above the jar.
 */
public final class Home {
    public static final String SAMPLE_DATA = "data/cifar10-sample.zip";
    public static final String SHIPPED_MODEL = "models/resnet20-cifar10.safetensors";

    private Home() {}

    public static Path dir() {
        String p = System.getProperty("jresnet.home");
        if (p != null && !p.isBlank()) return Paths.get(p);
        try {
            Path jar = Paths.get(Home.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // target/jresnet.jar or target/classes -> the repository root two levels up.
            return jar.getParent().getParent();
        } catch (Exception e) {
            return Paths.get(".");
        }
    }

    /** A bundled file; a clear error when the installation lacks it. */
    public static Path bundled(String relative) {
        Path f = dir().resolve(relative);
        if (!Files.exists(f)) {
            throw new IllegalArgumentException("bundled file " + f + " is missing; pass the path explicitly");
        }
        return f;
    }
}
