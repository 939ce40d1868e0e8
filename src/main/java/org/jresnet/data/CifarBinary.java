package org.jresnet.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10's binary release: {@code data_batch_1..5.bin} (train) and {@code test_batch.bin}
 * (test), records of 3,073 bytes (label, then 1024 R, 1024 G, 1024 B bytes of a 32x32 image,
 * row-major). Class names come from {@code batches.meta.txt} when present.
 */
public final class CifarBinary {
    private CifarBinary() {}

    static final int SIDE = 32;
    static final int PLANE = SIDE * SIDE;
    static final int RECORD = 1 + 3 * PLANE;
    static final int TRAIN_BATCHES = 5;
    /** The release's label order. */
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer",
            "dog", "frog", "horse", "ship", "truck");
    /** Folder name of the extracted release, accepted one level down. */
    static final String RELEASE_FOLDER = "cifar-10-batches-bin";

    /** The folder holding the batch files if {@code path} is (or directly contains) the release, else null. */
    static Path releaseFolder(Path path) {
        if (!Files.isDirectory(path)) return null;
        if (hasBatches(path)) return path;
        Path inner = path.resolve(RELEASE_FOLDER);
        return hasBatches(inner) ? inner : null;
    }

    private static boolean hasBatches(Path dir) {
        return Files.isRegularFile(dir.resolve("data_batch_1.bin")) || Files.isRegularFile(dir.resolve("test_batch.bin"));
    }

    static List<Path> batchFiles(Path folder, Split split) {
        List<Path> files = new ArrayList<>();
        if (split == Split.TEST) {
            files.add(folder.resolve("test_batch.bin"));
        } else {
            for (int b = 1; b <= TRAIN_BATCHES; b++) files.add(folder.resolve("data_batch_" + b + ".bin"));
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new DataException("CIFAR-10 binary dataset " + folder + " lacks " + f.getFileName());
            }
        }
        return files;
    }

    /** Reads a split into memory, converting CHW planes to HWC. */
    public static InMemoryDataset read(Path path, Split split) {
        Path folder = releaseFolder(path);
        if (folder == null) throw new DataException("not a CIFAR-10 binary dataset: " + path);
        try {
            List<String> classes = classNames(folder);
            List<Path> files = batchFiles(folder, split);
            List<byte[]> contents = new ArrayList<>();
            long records = 0;
            for (Path f : files) {
                byte[] b = Files.readAllBytes(f);
                if (b.length == 0 || b.length % RECORD != 0) {
                    throw new DataException(f + " is " + b.length + " bytes, not a whole number of "
                            + RECORD + "-byte CIFAR records");
                }
                contents.add(b);
                records += b.length / RECORD;
            }
            int n = Math.toIntExact(records);
            byte[] pixels = new byte[n * PLANE * 3];
            int[] labels = new int[n];
            String[] names = new String[n];
            int i = 0;
            for (int fi = 0; fi < files.size(); fi++) {
                byte[] b = contents.get(fi);
                String file = files.get(fi).getFileName().toString();
                for (int r = 0; r < b.length / RECORD; r++, i++) {
                    int base = r * RECORD;
                    int label = b[base] & 0xFF;
                    if (label >= classes.size()) {
                        throw new DataException(file + " record " + r + " has label " + label + " but there are "
                                + classes.size() + " classes");
                    }
                    labels[i] = label;
                    names[i] = file + "#" + r;
                    int out = i * PLANE * 3;
                    for (int p = 0; p < PLANE; p++) {
                        pixels[out + 3 * p] = b[base + 1 + p];
                        pixels[out + 3 * p + 1] = b[base + 1 + PLANE + p];
                        pixels[out + 3 * p + 2] = b[base + 1 + 2 * PLANE + p];
                    }
                }
            }
            String desc = folder + " [CIFAR-10 binary " + split.folder() + ", " + n + " images]";
            return new InMemoryDataset(pixels, labels, names, classes, SIDE, SIDE, 0, false, desc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CIFAR-10 binary dataset " + folder + ": " + e.getMessage(), e);
        }
    }

    private static List<String> classNames(Path folder) throws IOException {
        Path meta = folder.resolve("batches.meta.txt");
        if (!Files.isRegularFile(meta)) return CLASSES;
        List<String> names = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(meta, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            // the JDK's message is "Input length = 1": name the file and what it should hold
            throw new DataException(meta + " is not UTF-8 text (it should list the class names, one a line)");
        }
        for (String line : lines) {
            if (!line.isBlank()) names.add(line.trim());
        }
        if (names.isEmpty()) throw new DataException(meta + " lists no class names");
        return names;
    }
}
