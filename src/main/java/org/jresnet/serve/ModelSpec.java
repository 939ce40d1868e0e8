package org.jresnet.serve;

import java.util.regex.Pattern;
import org.jresnet.io.ModelMetadata;
import org.jresnet.models.ResNet;

/**
 * One model to serve: its URL name, the loaded network and what its file says about it.
 *
 * @param testTop1 test-set top-1 accuracy when the weights file records it, else null
 */
public record ModelSpec(String name, ResNet model, ModelMetadata metadata, Double testTop1) {
    /** Names appear in URLs: letters, digits, dot, dash, underscore. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public ModelSpec {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name '" + name + "' must be 1-64 letters, digits, '.', '-' or '_'");
        }
    }
}
