package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hidden files and folders of an ImageFolder tree are not data: macOS puts an AppleDouble
 * "._x.jpg" (no image) beside every file it copies, editors and downloads leave ".x.jpg" partials,
 * notebooks a ".ipynb_checkpoints/" folder. Same for a folder and a zip.
 */
class HiddenFilesTest {
    @TempDir Path tmp;

    private static Map<String, byte[]> tree() {
        Map<String, byte[]> f = new TreeMap<>();
        f.put("train/cat/1.png", TestImages.png(TestImages.pattern(4, 4, 1)));
        f.put("train/cat/._1.png", new byte[] {0, 5, 22, 7, 0, 2, 0, 0});
        f.put("train/dog/2.png", TestImages.png(TestImages.pattern(4, 4, 2)));
        f.put("train/dog/.2.png.part", new byte[] {1});
        f.put("train/dog/.3.png", TestImages.corruptJpeg());
        f.put("train/.ipynb_checkpoints/4.png", TestImages.png(TestImages.pattern(4, 4, 4)));
        return f;
    }

    @Test void folderAndZipScansSkipHiddenEntries() throws Exception {
        Path dir = tmp.resolve("tree");
        TestImages.writeTree(dir, tree());
        Path zip = tmp.resolve("tree.zip");
        TestImages.writeZip(zip, tree());
        for (Path p : new Path[] {dir, zip}) {
            try (Dataset ds = Datasets.open(p, Split.TRAIN, TestImages.quiet(tmp.resolve("cache")))) {
                assertThat(ds.classes()).as(p.toString()).containsExactly("cat", "dog");
                assertThat(ds.size()).isEqualTo(2);
                assertThat(ds.name(0)).isEqualTo("train/cat/1.png");
                assertThat(ds.name(1)).isEqualTo("train/dog/2.png");
            }
        }
    }

    /**
     * Files ImageFolder does not read (a .gif, notes) are left out as torchvision leaves them, but
     * said in the dataset's line; so is an image name that is not a file (a broken link).
     */
    @Test void filesLeftOutAreCountedNotDroppedUnseen() throws Exception {
        Map<String, byte[]> f = tree();
        f.put("train/cat/5.gif", new byte[] {'G', 'I', 'F'});
        f.put("train/dog/6.gif", new byte[] {'G', 'I', 'F'});
        f.put("train/dog/notes.txt", new byte[] {'x'});
        Path dir = tmp.resolve("tree");
        TestImages.writeTree(dir, f);
        java.nio.file.Files.createSymbolicLink(dir.resolve("train/cat/7.png"), tmp.resolve("nowhere.png"));
        try (Dataset ds = Datasets.open(dir, Split.TRAIN, TestImages.quiet(tmp.resolve("cache")))) {
            assertThat(ds.size()).isEqualTo(2);
            assertThat(ds.description()).contains("2 images, 2 classes; left out: 2 .gif, 1 .txt (as torchvision's ImageFolder,"
                    + " only .jpg").contains("left out: 1 image name that is not a readable file (a broken link, a pipe)");
        }
    }

    /** A link back up the tree is named as such (the walk follows links). */
    @Test void aLinkLoopIsSaid() throws Exception {
        Path dir = tmp.resolve("loop");
        TestImages.writeTree(dir, tree());
        java.nio.file.Files.createSymbolicLink(dir.resolve("train/dog/root"), dir);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Datasets.open(dir, Split.TRAIN, TestImages.quiet(tmp.resolve("cache"))))
                .isInstanceOf(DataException.class).hasMessageContaining("a symbolic link leads back into the tree at");
    }

    /** Zip entry names without the UTF-8 flag are code page 437, as the zip format says (Windows tools write them so). */
    @Test void aZipWithCodePage437NamesIsRead() throws Exception {
        Path zip = tmp.resolve("cp437.zip");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(zip),
                java.nio.charset.Charset.forName("IBM437"))) {
            for (String name : new String[] {"train/caf\u00e9/1.png", "train/dog/2.png"}) {
                z.putNextEntry(new java.util.zip.ZipEntry(name));
                z.write(TestImages.png(TestImages.pattern(4, 4, name.length())));
                z.closeEntry();
            }
        }
        try (Dataset ds = Datasets.open(zip, Split.TRAIN, TestImages.quiet(tmp.resolve("cache")))) {
            assertThat(ds.classes()).containsExactly("caf\u00e9", "dog");
            assertThat(ds.size()).isEqualTo(2);
        }
    }

    /**
     * A zip that stores one name twice (zip tools append; Python's zipfile warns and writes it)
     * holds one image of that name, as its extraction does: counted once, and said.
     */
    @Test void aRepeatedZipEntryIsOneImage() throws Exception {
        Map<String, byte[]> f = tree();
        f.put("train/cat/9.png", TestImages.png(TestImages.pattern(4, 4, 9)));
        Path zip = tmp.resolve("twice.zip");
        TestImages.writeZip(zip, f);
        // rename train/cat/9.png to train/cat/1.png in its local header and the central directory
        byte[] b = java.nio.file.Files.readAllBytes(zip);
        byte[] from = "train/cat/9.png".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] to = "train/cat/1.png".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int replaced = 0;
        for (int i = 0; i + from.length <= b.length; i++) {
            if (java.util.Arrays.equals(b, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, b, i, to.length);
                replaced++;
            }
        }
        assertThat(replaced).isEqualTo(2);
        java.nio.file.Files.write(zip, b);
        try (Dataset ds = Datasets.open(zip, Split.TRAIN, TestImages.quiet(tmp.resolve("cache")))) {
            assertThat(ds.size()).isEqualTo(2);
            assertThat(ds.name(0)).isEqualTo("train/cat/1.png");
            assertThat(ds.description()).contains("2 images, 2 classes; left out: 1 zip entry whose image name came before");
            assertThat(ds.image(0).pixels()).as("the last entry of the name").isEqualTo(TestImages.pattern(4, 4, 9).pixels());
        }
    }
}
