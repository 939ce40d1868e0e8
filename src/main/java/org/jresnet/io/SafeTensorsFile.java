package org.jresnet.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The content of a safetensors file: its {@code __metadata__} string map and its tensors in file order. */
public record SafeTensorsFile(Map<String, String> metadata, Map<String, TensorData> tensors) {
    public SafeTensorsFile {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public TensorData get(String name) {
        TensorData t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor '" + name + "' in file");
        return t;
    }
}
