package org.jresnet.io;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Maps the key names of common PyTorch checkpoints to torchvision's, which jresnet uses:
 * <ul>
 *   <li>{@code module.} prefixes (nn.DataParallel / DistributedDataParallel wrappers) are stripped;</li>
 *   <li>a top-level classifier named {@code linear} (the usual CIFAR ResNet code) becomes {@code fc};</li>
 *   <li>projection shortcuts named {@code shortcut.0/1} (same code, options B/C) become
 *       {@code downsample.0/1}.</li>
 * </ul>
 * A key is mapped only when the model does not know it as it is (see {@link ModelFiles}).
 */
public final class StateDictKeys {
    private static final Pattern SHORTCUT = Pattern.compile("\\.shortcut\\.([01])\\.");

    private StateDictKeys() {}

    /** The torchvision name of {@code key}, or empty when no rule changes it. */
    public static Optional<String> normalise(String key) {
        String k = key;
        while (k.startsWith("module.")) k = k.substring("module.".length());
        if (k.startsWith("linear.")) k = "fc." + k.substring("linear.".length());
        k = SHORTCUT.matcher(k).replaceAll(".downsample.$1.");
        return k.equals(key) ? Optional.empty() : Optional.of(k);
    }
}
