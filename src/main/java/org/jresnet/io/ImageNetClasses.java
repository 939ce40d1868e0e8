package org.jresnet.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The ImageNet-1k class names in torchvision's order, so a 1000-class model says "golden retriever"
 * rather than "207". Read from {@code imagenet-classes.txt} beside this class, a copy of
 * torchvision's {@code _IMAGENET_CATEGORIES} (the file's header says which release).
 */
public final class ImageNetClasses {
    public static final int COUNT = 1000;
    private static final String RESOURCE = "imagenet-classes.txt";
    private static volatile List<String> names;

    private ImageNetClasses() {}

    /** The 1000 names, index = class. */
    public static List<String> names() {
        List<String> n = names;
        if (n == null) names = n = load();
        return n;
    }

    private static List<String> load() {
        try (InputStream in = ImageNetClasses.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the jar");
            List<String> out = new ArrayList<>(COUNT);
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty() && !line.startsWith("#")) out.add(line);
            }
            if (out.size() != COUNT) throw new IllegalStateException(RESOURCE + " has " + out.size() + " names, not " + COUNT);
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
