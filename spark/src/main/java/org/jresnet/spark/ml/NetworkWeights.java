package org.jresnet.spark.ml;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jresnet.api.Network;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;

/**
 * A network's weights in one canonical form, whatever file they came from: the bytes of the
 * jresnet safetensors file (tensors + metadata) the core writes. This is what a stage broadcasts
 * and saves; the key (SHA-256 of the bytes) names it in each executor's cache.
 */
public final class NetworkWeights implements Serializable {
    private static final long serialVersionUID = 1L;

    private final byte[] safetensors;
    private final String key;
    private transient Network driverNetwork;

    private NetworkWeights(byte[] safetensors, Network loaded) {
        this.safetensors = safetensors;
        this.key = sha256(safetensors);
        this.driverNetwork = loaded;
    }

    /**
     * Any file {@code bin/jresnet predict --weights} takes: a jresnet safetensors file, another
     * safetensors export or a PyTorch checkpoint (read without executing it; the architecture from
     * the file's metadata, else inferred from its keys and shapes).
     */
    public static NetworkWeights load(Path file) throws IOException {
        return of(ModelFiles.load(file));
    }

    /** A loaded model and its metadata (as {@code bin/jresnet predict}'s weight options resolve them), as bytes. */
    public static NetworkWeights of(ModelFiles.Loaded l) throws IOException {
        Path tmp = Files.createTempFile("jresnet-weights", ".safetensors");
        try {
            ModelFiles.save(tmp, l.model(), l.metadata());
            byte[] bytes = Files.readAllBytes(tmp);
            return new NetworkWeights(bytes, null);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Weights saved by {@link #bytes()} (a stage's saved directory). */
    public static NetworkWeights fromBytes(byte[] safetensors) {
        return new NetworkWeights(safetensors.clone(), null);
    }

    public byte[] bytes() { return safetensors.clone(); }

    public String key() { return key; }

    /** The network, built on first use (on the driver, for its metadata). */
    public synchronized Network network() {
        if (driverNetwork == null) driverNetwork = build();
        return driverNetwork;
    }

    public ModelMetadata metadata() { return network().metadata(); }

    /** A new network from the bytes (each call its own copy). */
    Network build() {
        try {
            Path tmp = Files.createTempFile("jresnet-weights", ".safetensors");
            try {
                Files.write(tmp, safetensors);
                return Network.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the broadcast weights: " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
