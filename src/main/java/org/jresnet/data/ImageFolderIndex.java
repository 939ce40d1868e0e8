package org.jresnet.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jresnet.io.OneLine;

/**
 * The file list of an ImageFolder split, from a directory or a zip, in torchvision's order:
 * classes are the sorted folder names of the split root; each class's files are found
 * recursively, sorted by (folder, file name) as {@code sorted(os.walk(...))} then
 * {@code sorted(fnames)} do, and kept when their extension is one of torchvision's
 * {@code IMG_EXTENSIONS} (case-insensitive). Unlike torchvision, hidden files and folders
 * ({@link #isHidden}) are left out.
 *
 * <p>Split root: when the tree has {@code train/}, {@code test/} or {@code val/} folders, the
 * split's folder ({@code test} falls back to {@code val} only when there is no {@code test/},
 * as in ImageNet's layout); otherwise the whole tree is one split. A zip whose entries all sit
 * in one folder holding such split folders is read through that folder.
 */
final class ImageFolderIndex implements AutoCloseable {
    /** torchvision.datasets.folder.IMG_EXTENSIONS. */
    static final List<String> IMAGE_EXTENSIONS =
            List.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp");
    /** Folder that macOS's zip tool adds with resource forks; never image data. */
    private static final String MAC_RESOURCE_FOLDER = "__MACOSX";

    private final List<String> classes;
    private final List<ImageSource> sources;
    private final int[] labels;
    private final String description;
    private final String shortName;
    private final byte[] fingerprint;
    private final ZipFile zip;
    private final boolean wholeTree;

    private ImageFolderIndex(List<String> classes, List<ImageSource> sources, int[] labels,
                             String description, String shortName, byte[] fingerprint, ZipFile zip, boolean wholeTree) {
        this.wholeTree = wholeTree;
        this.classes = classes;
        this.sources = sources;
        this.labels = labels;
        this.description = description;
        this.shortName = shortName;
        this.fingerprint = fingerprint;
        this.zip = zip;
    }

    int size() { return sources.size(); }
    List<String> classes() { return classes; }
    int label(int i) { return labels[i]; }
    ImageSource source(int i) { return sources.get(i); }
    String description() { return description; }

    /** Whether the tree has no split folders, so that every split is the same images. */
    boolean wholeTree() { return wholeTree; }

    /** Short name for progress lines, e.g. {@code cifar10-jpg.zip train}. */
    String shortName() { return shortName; }

    /** SHA-256 of what the decoded content depends on: path, split, and file sizes + mtimes. */
    byte[] fingerprint() { return fingerprint.clone(); }

    @Override public void close() {
        if (zip != null) {
            try {
                zip.close();
            } catch (IOException ignored) {
                // read-only handle: nothing to lose
            }
        }
    }

    /**
     * A path (relative, '/'-separated) with a hidden component: ".x.jpg", macOS's AppleDouble
     * "._x.jpg" beside every file copied from a Mac, ".ipynb_checkpoints/". Never image data.
     */
    static boolean isHidden(String relative) {
        for (String part : relative.split("/")) if (part.startsWith(".") && !part.equals(".")) return true;
        return false;
    }

    static boolean isImageName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String ext : IMAGE_EXTENSIONS) if (lower.endsWith(ext)) return true;
        return false;
    }

    /** A file of the tree: relative path with '/' separators, its folder, and how to read it. */
    private record FileItem(String folder, String fileName, ImageSource source) {}

    /** A listing of folders and files, relative to the dataset path. */
    private static final class Tree {
        final Set<String> dirs = new TreeSet<>();
        final List<FileItem> files = new ArrayList<>();
        /** Entries with an image's name that are not files: a broken link, a pipe (relative paths). */
        final List<String> notFiles = new ArrayList<>();
        /** Names a zip stores again, once per repeat (ZipFile reads one entry per name: the last). */
        final List<String> repeated = new ArrayList<>();
        final MessageDigest digest = sha256();

        List<String> childDirs(String dir) {
            String prefix = dir.isEmpty() ? "" : dir + "/";
            List<String> out = new ArrayList<>();
            for (String d : dirs) {
                if (d.startsWith(prefix) && d.length() > prefix.length() && d.indexOf('/', prefix.length()) < 0) {
                    String child = d.substring(prefix.length());
                    if (!child.equals(MAC_RESOURCE_FOLDER)) out.add(child);
                }
            }
            return out;
        }

        boolean hasFilesDirectlyIn(String dir) {
            for (FileItem f : files) if (f.folder.equals(dir)) return true;
            return false;
        }
    }

    static ImageFolderIndex open(Path path, Split split) {
        if (!Files.exists(path)) throw new DataException("dataset not found: " + path);
        try {
            if (Files.isDirectory(path)) return openDirectory(path, split);
            return openZip(path, split);
        } catch (java.nio.file.FileSystemLoopException e) {
            // the walk follows links: one that leads back up the tree would be walked forever
            throw new DataException("cannot read dataset " + path + ": a symbolic link leads back into the tree at "
                    + e.getFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + path + ": " + e.getMessage(), e);
        }
    }

    private static ImageFolderIndex openZip(Path path, Split split) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (java.util.zip.ZipException e) {
            // names not flagged UTF-8 are, by the zip spec, code page 437 (Windows tools write them
            // so): read them that way when they are not UTF-8 (UTF-8 without the flag stays UTF-8)
            try {
                zip = new ZipFile(path.toFile(), java.nio.charset.Charset.forName("IBM437"));
            } catch (IOException again) {
                throw new DataException("not a readable zip file: " + path + " (" + OneLine.reason(e) + ")");
            }
        } catch (IOException e) {
            throw new DataException("not a readable zip file: " + path + " (" + OneLine.reason(e) + ")");
        }
        try {
            Tree tree = new Tree();
            List<? extends ZipEntry> entries;
            try {
                entries = java.util.Collections.list(zip.entries());
            } catch (IllegalArgumentException e) {
                // ZipFile decodes names lazily and throws "malformed input off : 67, length : 1"
                throw new DataException("not a readable zip file: " + path + " (an entry name is not valid UTF-8)");
            }
            // A name stored twice is one file: ZipFile reads the last entry of a name (so does an
            // extraction that overwrites), whose CRC the read is checked against.
            Map<String, ZipEntry> last = new java.util.LinkedHashMap<>();
            for (ZipEntry e : entries) {
                if (last.put(e.getName(), e) != null && !e.isDirectory()) tree.repeated.add(e.getName());
            }
            for (ZipEntry e : last.values()) {
                String name = e.getName();
                if (name.startsWith("/") || name.startsWith("../") || name.contains("/../")) continue;
                if (isHidden(name)) continue;
                if (e.isDirectory()) {
                    addDirAndParents(tree.dirs, name.substring(0, name.length() - 1));
                    continue;
                }
                int slash = name.lastIndexOf('/');
                String folder = slash < 0 ? "" : name.substring(0, slash);
                if (!folder.isEmpty()) addDirAndParents(tree.dirs, folder);
                tree.files.add(new FileItem(folder, name.substring(slash + 1), new ZipSource(zip, e)));
            }
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            update(tree.digest, "zip", path.toRealPath().toString(), split.name(),
                    Long.toString(a.size()), Long.toString(a.lastModifiedTime().toMillis()));
            String prefix = "";
            List<String> top = tree.childDirs("");
            if (top.size() == 1 && !tree.hasFilesDirectlyIn("") && splitLayout(tree.childDirs(top.get(0)))) {
                prefix = top.get(0);
            }
            return build(tree, path, prefix, split, zip);
        } catch (RuntimeException | IOException e) {
            zip.close();
            throw e;
        }
    }

    private static ImageFolderIndex openDirectory(Path path, Split split) throws IOException {
        Tree tree = new Tree();
        List<String> top = new ArrayList<>();
        try (var s = Files.list(path)) {
            s.filter(Files::isDirectory).forEach(p -> top.add(p.getFileName().toString()));
        }
        String root = splitLayout(top) ? splitFolder(top, split, path) : "";
        Path walkRoot = root.isEmpty() ? path : path.resolve(root);
        update(tree.digest, "dir", path.toRealPath().toString(), split.name());
        Files.walkFileTree(walkRoot, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        String rel = relative(path, dir);
                        if (isHidden(rel)) return FileVisitResult.SKIP_SUBTREE;
                        if (!rel.isEmpty()) tree.dirs.add(rel);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        String rel = relative(path, file);
                        if (isHidden(rel)) return FileVisitResult.CONTINUE;
                        if (!attrs.isRegularFile()) {   // a link that leads nowhere is handed over as the link
                            if (isImageName(rel)) tree.notFiles.add(rel);
                            return FileVisitResult.CONTINUE;
                        }
                        int slash = rel.lastIndexOf('/');
                        String folder = slash < 0 ? "" : rel.substring(0, slash);
                        tree.files.add(new FileItem(folder, rel.substring(slash + 1), new FileSource(file, rel)));
                        if (isImageName(rel)) {
                            update(tree.digest, rel, Long.toString(attrs.size()),
                                    Long.toString(attrs.lastModifiedTime().toMillis()));
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
        if (!root.isEmpty()) addDirAndParents(tree.dirs, root);
        return build(tree, path, "", split, null);
    }

    private static boolean splitLayout(List<String> children) {
        return children.contains("train") || children.contains("test") || children.contains("val");
    }

    private static String splitFolder(List<String> children, Split split, Path path) {
        if (children.contains(split.folder())) return split.folder();
        if (split == Split.TEST && children.contains("val")) return "val";
        throw new DataException("no " + split.folder() + "/ folder in " + path + " (it has "
                + String.join("/, ", new TreeSet<>(children)) + "/)");
    }

    private static ImageFolderIndex build(Tree tree, Path path, String prefix, Split split, ZipFile zip) {
        String root = prefix;
        List<String> children = tree.childDirs(prefix);
        boolean wholeTree = !splitLayout(children);
        if (!wholeTree) {
            String f = splitFolder(children, split, path);
            root = prefix.isEmpty() ? f : prefix + "/" + f;
        }
        String where = root.isEmpty() ? path.toString() : path + (zip != null ? "!/" : "/") + root;
        List<String> classes = tree.childDirs(root);
        if (classes.isEmpty()) {
            throw new DataException("no class folders in " + where
                    + " (expected one folder of images per class)");
        }
        classes.sort(Comparator.naturalOrder());
        TreeMap<String, Integer> classOf = new TreeMap<>();
        for (int c = 0; c < classes.size(); c++) classOf.put(classes.get(c), c);
        String rootPrefix = root.isEmpty() ? "" : root + "/";
        List<List<FileItem>> perClass = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) perClass.add(new ArrayList<>());
        // what torchvision's ImageFolder would leave out too, said rather than dropped unseen
        TreeMap<String, Integer> leftOut = new TreeMap<>();
        int notFiles = 0;
        for (String rel : tree.notFiles) if (rel.startsWith(rootPrefix)) notFiles++;
        int repeated = 0;
        for (String rel : tree.repeated) if (rel.startsWith(rootPrefix) && isImageName(rel) && !isHidden(rel)) repeated++;
        for (FileItem f : tree.files) {
            if (!f.folder.startsWith(rootPrefix) || f.folder.length() <= rootPrefix.length()) continue;
            if (!isImageName(f.fileName)) {
                int dot = f.fileName.lastIndexOf('.');
                leftOut.merge(dot <= 0 ? "(no extension)" : f.fileName.substring(dot).toLowerCase(Locale.ROOT), 1, Integer::sum);
                continue;
            }
            String inRoot = f.folder.substring(rootPrefix.length());
            int slash = inRoot.indexOf('/');
            Integer c = classOf.get(slash < 0 ? inRoot : inRoot.substring(0, slash));
            if (c != null) perClass.get(c).add(f);
        }
        List<ImageSource> sources = new ArrayList<>();
        int[] labels = new int[tree.files.size()];
        for (int c = 0; c < classes.size(); c++) {
            List<FileItem> items = perClass.get(c);
            if (items.isEmpty()) {
                throw new DataException("class folder '" + classes.get(c) + "' in " + where
                        + " has no images (" + String.join(" ", IMAGE_EXTENSIONS) + ")");
            }
            items.sort(Comparator.comparing(FileItem::folder).thenComparing(FileItem::fileName));
            for (FileItem f : items) {
                labels[sources.size()] = c;
                sources.add(f.source);
            }
        }
        String desc = path + " [" + split.folder() + ": " + (wholeTree ? "whole tree" : root + "/")
                + ", " + sources.size() + " images, " + classes.size() + " classes" + leftOutNote(leftOut, notFiles, repeated) + "]";
        return new ImageFolderIndex(List.copyOf(classes), List.copyOf(sources),
                java.util.Arrays.copyOf(labels, sources.size()), desc, path.getFileName() + " " + split.folder(),
                tree.digest.digest(), zip, wholeTree);
    }

    /**
     * "; left out: 5 .gif, 1 .txt (as torchvision's ImageFolder, only .jpg ...)", then the image
     * names that are not files and a zip's repeated entries, or "" when nothing under the class
     * folders was passed over.
     */
    private static String leftOutNote(Map<String, Integer> byExtension, int notFiles, int repeated) {
        StringBuilder b = new StringBuilder();
        if (!byExtension.isEmpty()) {
            StringJoiner j = new StringJoiner(", ");
            byExtension.forEach((ext, n) -> j.add(n + " " + ext));
            b.append("; left out: ").append(j).append(" (as torchvision's ImageFolder, only ")
                    .append(String.join(" ", IMAGE_EXTENSIONS)).append(')');
        }
        if (notFiles > 0) b.append("; left out: ").append(notFiles).append(notFiles == 1 ? " image name that is" : " image names that are")
                .append(" not a readable file (a broken link, a pipe)");
        if (repeated > 0) b.append("; left out: ").append(repeated).append(repeated == 1 ? " zip entry whose image name" : " zip entries whose image names")
                .append(" came before (each name is one image: the last entry)");
        return b.toString();
    }

    private static void addDirAndParents(Set<String> dirs, String dir) {
        while (!dir.isEmpty() && dirs.add(dir)) {
            int slash = dir.lastIndexOf('/');
            dir = slash < 0 ? "" : dir.substring(0, slash);
        }
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static void update(MessageDigest d, String... parts) {
        for (String s : parts) {
            d.update(s.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
        }
    }

    private record FileSource(Path file, String name) implements ImageSource {
        @Override public byte[] read(DecodeLimits limits) throws IOException {
            return ImageBytes.readFile(file, name, limits);
        }
    }

    private record ZipSource(ZipFile zip, ZipEntry entry) implements ImageSource {
        @Override public String name() { return entry.getName(); }

        @Override public byte[] read(DecodeLimits limits) throws IOException {
            return ImageBytes.readZipEntry(zip, entry, limits);
        }
    }
}
