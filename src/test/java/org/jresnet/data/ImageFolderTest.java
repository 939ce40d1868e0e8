package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("smoke")
class ImageFolderTest {
    @TempDir Path tmp;

    /** train: 2 classes given out of order, one with a nested folder; test: 1 image per class. */
    private Map<String, byte[]> tree() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put("train/zebra/b.png", TestImages.png(TestImages.pattern(4, 3, 1)));
        f.put("train/zebra/a.png", TestImages.png(TestImages.pattern(4, 3, 2)));
        f.put("train/ant/sub/c.png", TestImages.png(TestImages.pattern(4, 3, 3)));
        f.put("train/ant/d.PNG", TestImages.png(TestImages.pattern(4, 3, 4)));
        f.put("train/ant/notes.txt", "not an image".getBytes());
        f.put("test/ant/x.png", TestImages.png(TestImages.pattern(4, 3, 5)));
        f.put("test/zebra/y.png", TestImages.png(TestImages.pattern(4, 3, 6)));
        return f;
    }

    private void checkTrain(Dataset ds) {
        // torchvision: classes sorted; per class sorted(os.walk) then sorted file names.
        assertThat(ds.classes()).containsExactly("ant", "zebra");
        assertThat(ds.size()).isEqualTo(4);
        assertThat(List.of(ds.name(0), ds.name(1), ds.name(2), ds.name(3)))
                .containsExactly("train/ant/d.PNG", "train/ant/sub/c.png", "train/zebra/a.png", "train/zebra/b.png");
        assertThat(new int[] {ds.label(0), ds.label(1), ds.label(2), ds.label(3)}).containsExactly(0, 0, 1, 1);
        assertThat(ds.width()).isEqualTo(4);
        assertThat(ds.height()).isEqualTo(3);
        assertThat(ds.image(2).pixels()).isEqualTo(TestImages.pattern(4, 3, 2).pixels());
        assertThat(ds).isInstanceOf(InMemoryDataset.class);
        assertThat(((InMemoryDataset) ds).pixels()).hasSize(4 * 4 * 3 * 3);
    }

    @Test void readsDirectoryInTorchvisionOrder() throws Exception {
        Path root = tmp.resolve("ds");
        TestImages.writeTree(root, tree());
        try (Dataset ds = Datasets.open(root, Split.TRAIN, TestImages.quiet(tmp.resolve("cache")))) {
            checkTrain(ds);
        }
        try (Dataset ds = Datasets.open(root, Split.TEST, TestImages.quiet(tmp.resolve("cache")))) {
            assertThat(ds.size()).isEqualTo(2);
            assertThat(ds.name(1)).isEqualTo("test/zebra/y.png");
            assertThat(ds.image(1).pixels()).isEqualTo(TestImages.pattern(4, 3, 6).pixels());
        }
    }

    @Test void readsZipDirectly() throws Exception {
        Path zip = tmp.resolve("ds.zip");
        TestImages.writeZip(zip, tree());
        try (Dataset ds = Datasets.open(zip, Split.TRAIN, TestImages.quiet(tmp.resolve("cache")))) {
            checkTrain(ds);
        }
    }

    @Test void zipWithOneWrappingFolderIsReadThroughIt() throws Exception {
        Map<String, byte[]> wrapped = new LinkedHashMap<>();
        tree().forEach((k, v) -> wrapped.put("cifar/" + k, v));
        Path zip = tmp.resolve("w.zip");
        TestImages.writeZip(zip, wrapped);
        try (Dataset ds = Datasets.open(zip, Split.TEST, TestImages.quiet(tmp.resolve("cache")))) {
            assertThat(ds.size()).isEqualTo(2);
            assertThat(ds.name(0)).isEqualTo("cifar/test/ant/x.png");
        }
    }

    @Test void folderWithoutSplitsIsOneSplit() throws Exception {
        Path root = tmp.resolve("flat");
        TestImages.writeTree(root, Map.of("b/1.png", TestImages.png(TestImages.pattern(2, 2, 0)),
                "a/1.png", TestImages.png(TestImages.pattern(2, 2, 9))));
        try (Dataset ds = Datasets.open(root, Split.TEST, TestImages.quiet(tmp.resolve("cache")))) {
            assertThat(ds.classes()).containsExactly("a", "b");
            assertThat(ds.size()).isEqualTo(2);
        }
    }

    @Test void corruptImageIsNamedOrSkippedAndCounted() throws Exception {
        Map<String, byte[]> f = tree();
        f.put("train/zebra/bad.jpg", TestImages.corruptJpeg());
        Path zip = tmp.resolve("bad.zip");
        TestImages.writeZip(zip, f);
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, TestImages.quiet(tmp.resolve("c1"))))
                .isInstanceOf(BadImageException.class)
                .hasMessageContaining("train/zebra/bad.jpg")
                .satisfies(e -> assertThat(((BadImageException) e).source()).isEqualTo("train/zebra/bad.jpg"));
        try (Dataset ds = Datasets.open(zip, Split.TRAIN, TestImages.quiet(tmp.resolve("c2")).withSkipBad(true))) {
            assertThat(ds.size()).isEqualTo(4);
            assertThat(ds.skipped()).isEqualTo(1);
            assertThat(ds.name(3)).isEqualTo("train/zebra/b.png");
            assertThat(ds.image(3).pixels()).isEqualTo(TestImages.pattern(4, 3, 1).pixels());
        }
    }

    @Test void truncatedJpegIsCorrupt() {
        byte[] jpeg = TestImages.encode(TestImages.pattern(16, 16, 0), "jpg");
        byte[] cut = java.util.Arrays.copyOf(jpeg, jpeg.length / 2);
        assertThatThrownBy(() -> ImageDecoder.decode(cut, "cut.jpg"))
                .isInstanceOf(BadImageException.class).hasMessageContaining("cut.jpg");
    }

    @Test void emptyClassMissingPathAndNoClassesAreOneLineErrors() throws Exception {
        Path zip = tmp.resolve("empty-class.zip");
        Map<String, byte[]> f = tree();
        TestImages.writeZip(zip, f, "train/cat/");
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, TestImages.quiet(tmp.resolve("c"))))
                .isInstanceOf(DataException.class).hasMessageContaining("'cat'").hasMessageContaining("no images")
                .hasMessageNotContaining("\n");

        Path dir = tmp.resolve("empty-class-dir");
        TestImages.writeTree(dir, Map.of("dog/readme.txt", "x".getBytes(), "cat/1.png",
                TestImages.png(TestImages.pattern(2, 2, 0))));
        assertThatThrownBy(() -> Datasets.open(dir, Split.TRAIN, TestImages.quiet(tmp.resolve("c"))))
                .isInstanceOf(DataException.class).hasMessageContaining("'dog'");

        assertThatThrownBy(() -> Datasets.open(tmp.resolve("nope"), Split.TRAIN, TestImages.quiet(tmp)))
                .isInstanceOf(DataException.class).hasMessage("dataset not found: " + tmp.resolve("nope"));

        Path emptyDir = tmp.resolve("emptydir");
        java.nio.file.Files.createDirectories(emptyDir);
        assertThatThrownBy(() -> Datasets.open(emptyDir, Split.TRAIN, TestImages.quiet(tmp)))
                .isInstanceOf(DataException.class).hasMessageContaining("no class folders");

        Path onlyTrain = tmp.resolve("only-train");
        TestImages.writeTree(onlyTrain, Map.of("train/a/1.png", TestImages.png(TestImages.pattern(2, 2, 0))));
        assertThatThrownBy(() -> Datasets.open(onlyTrain, Split.TEST, TestImages.quiet(tmp)))
                .isInstanceOf(DataException.class).hasMessageContaining("no test/ folder");

        Path notZip = tmp.resolve("x.zip");
        java.nio.file.Files.writeString(notZip, "hello");
        assertThatThrownBy(() -> Datasets.open(notZip, Split.TRAIN, TestImages.quiet(tmp)))
                .isInstanceOf(DataException.class).hasMessageContaining("not a readable zip");
    }

    @Test void unequalSizesAreStreamedInAutoModeAndRefusedInMemoryMode() throws Exception {
        Path root = tmp.resolve("mixed");
        TestImages.writeTree(root, Map.of("a/1.png", TestImages.png(TestImages.pattern(5, 4, 0)),
                "a/2.png", TestImages.png(TestImages.pattern(7, 3, 1)),
                "b/3.png", TestImages.png(TestImages.pattern(2, 6, 2))));
        try (Dataset ds = Datasets.open(root, Split.TRAIN, TestImages.quiet(tmp.resolve("c")))) {
            assertThat(ds).isInstanceOf(StreamedDataset.class);
            assertThat(ds.height()).isEqualTo(-1);
            assertThat(ds.image(1).width()).isEqualTo(7);
            assertThat(ds.image(2).pixels()).isEqualTo(TestImages.pattern(2, 6, 2).pixels());
            assertThat(ds.label(2)).isEqualTo(1);
        }
        assertThatThrownBy(() -> Datasets.open(root, Split.TRAIN,
                TestImages.quiet(tmp.resolve("c")).withMode(LoadOptions.Mode.MEMORY)))
                .isInstanceOf(DataException.class).hasMessageContaining("unequal sizes");
    }

    @Test void testSplitFallsBackToValFolderOnlyWithoutTestFolder() throws Exception {
        Path root = tmp.resolve("imagenet-like");
        TestImages.writeTree(root, Map.of("train/a/1.png", TestImages.png(TestImages.pattern(2, 2, 0)),
                "val/a/2.png", TestImages.png(TestImages.pattern(2, 2, 1))));
        try (Dataset ds = Datasets.open(root, Split.TEST, TestImages.quiet(tmp.resolve("c")))) {
            assertThat(ds.name(0)).isEqualTo("val/a/2.png");
        }
    }
}
