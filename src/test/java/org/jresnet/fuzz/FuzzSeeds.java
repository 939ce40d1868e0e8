package org.jresnet.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jresnet.data.ImageDecoder;

/**
 * Real files the fuzzers mutate: JPEGs of the bundled CIFAR sample, and the files
 * python/make_fuzz_seeds.py wrote with PIL and torch.save (src/test/resources/fuzz).
 */
final class FuzzSeeds {
    private FuzzSeeds() {}

    static final Path SAMPLE = Path.of("data", "cifar10-sample.zip");
    static final List<String> IMAGES = List.of("baseline.jpg", "progressive.jpg", "grey.jpg", "rgb444.jpg", "rgb.png",
            "rgba.png", "palette.png", "grey16.png", "rgb.bmp", "palette.bmp", "rgb.gif", "transparent.gif");
    static final List<String> CHECKPOINTS = List.of("state_dict.pth", "legacy.pth", "training.pth.tar", "views.pth");
    /** JPEGs taken from the bundled sample. */
    static final int SAMPLE_JPEGS = 8;

    private static Map<String, byte[]> sampleJpegs;
    private static Set<String> zipPixels;

    static byte[] resource(String name) {
        try (InputStream in = FuzzSeeds.class.getClassLoader().getResourceAsStream("fuzz/" + name)) {
            if (in == null) throw new IllegalStateException("missing test resource fuzz/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first {@link #SAMPLE_JPEGS} JPEGs of the bundled sample, by entry name. */
    static synchronized Map<String, byte[]> sampleJpegs() {
        if (sampleJpegs == null) {
            Map<String, byte[]> m = new LinkedHashMap<>();
            try (ZipFile z = new ZipFile(SAMPLE.toFile())) {
                List<ZipEntry> entries = new ArrayList<>(Collections.list(z.entries()));
                entries.sort(java.util.Comparator.comparing(ZipEntry::getName));
                for (ZipEntry e : entries) {
                    if (!e.getName().endsWith(".jpg")) continue;
                    try (InputStream in = z.getInputStream(e)) {
                        m.put(e.getName().substring(e.getName().lastIndexOf('/') + 1), in.readAllBytes());
                    }
                    if (m.size() == SAMPLE_JPEGS) break;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sampleJpegs = m;
        }
        return sampleJpegs;
    }

    /** Every image seed: the sample's JPEGs and the PIL-written files. */
    static List<byte[]> images() {
        List<byte[]> out = new ArrayList<>(sampleJpegs().values());
        for (String n : IMAGES) out.add(resource(n));
        return out;
    }

    /** Digests of the decoded pixels of every image the zip fuzzer puts in an archive. */
    static synchronized Set<String> zipImagePixels() {
        if (zipPixels == null) {
            Set<String> s = new TreeSet<>();
            for (var e : zipImages().entrySet()) s.add(digest(ImageDecoder.decode(e.getValue(), e.getKey()).pixels()));
            zipPixels = s;
        }
        return zipPixels;
    }

    /** The images the zip fuzzer archives: a few sample JPEGs and one PNG, BMP and GIF. */
    static Map<String, byte[]> zipImages() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        int k = 0;
        for (var e : sampleJpegs().entrySet()) if (k++ < 4) m.put(e.getKey(), e.getValue());
        for (String n : List.of("rgb.png", "palette.bmp", "rgb.gif")) m.put(n, resource(n));
        return m;
    }

    static String digest(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
