package org.jresnet.io;

import java.io.IOException;

/**
 * A weights file that is valid safetensors but does not fit the model: missing, unexpected or
 * mis-shaped keys, or metadata that cannot rebuild the model. The message is one line.
 */
public final class WeightsException extends IOException {
    public WeightsException(String message) { super(message); }
}
