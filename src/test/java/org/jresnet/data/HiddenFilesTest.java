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
}
