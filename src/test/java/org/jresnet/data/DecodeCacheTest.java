package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecodeCacheTest {
    @TempDir Path tmp;

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private Path zip(int seed) throws Exception {
        Path zip = tmp.resolve("data").resolve("ds.zip");
        Files.createDirectories(zip.getParent());
        TestImages.writeZip(zip, Map.of("train/a/1.png", TestImages.png(TestImages.pattern(3, 3, seed)),
                "train/b/2.png", TestImages.png(TestImages.pattern(3, 3, seed + 1))));
        return zip;
    }

    @Test void secondOpenReadsTheCacheAndAChangedSourceMissesIt() throws Exception {
        Path cache = tmp.resolve("cache");
        Path zip = zip(0);
        InMemoryDataset first = (InMemoryDataset) Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache));
        List<Path> cached = files(cache);
        assertThat(cached).hasSize(1);
        assertThat(cached.get(0).getFileName().toString()).startsWith("ds.zip-train-").endsWith(".u8");
        assertThat(files(zip.getParent())).as("nothing written beside the data").containsExactly(zip);

        InMemoryDataset second = (InMemoryDataset) Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache));
        assertThat(second.description()).contains("cached");
        assertThat(second.pixels()).isEqualTo(first.pixels());
        assertThat(second.labels()).isEqualTo(first.labels());
        assertThat(second.classes()).isEqualTo(first.classes());
        assertThat(second.name(1)).isEqualTo("train/b/2.png");

        // Same path, new content and modification time: a new key, new pixels.
        zip(50);
        Files.setLastModifiedTime(zip, FileTime.fromMillis(Files.getLastModifiedTime(zip).toMillis() + 5000));
        InMemoryDataset third = (InMemoryDataset) Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache));
        assertThat(third.description()).doesNotContain("cached");
        assertThat(third.image(0).pixels()).isEqualTo(TestImages.pattern(3, 3, 50).pixels());
        assertThat(files(cache)).hasSize(2).noneMatch(p -> p.toString().endsWith(".tmp"));
    }

    @Test void cacheCanBeTurnedOffAndSkipBadHasItsOwnEntry() throws Exception {
        Path cache = tmp.resolve("cache");
        Path zip = zip(0);
        Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache).withUseCache(false));
        assertThat(files(cache)).isEmpty();
        Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache));
        Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache).withSkipBad(true));
        Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache).withSkipBad(true));
        assertThat(files(cache)).hasSize(2);
    }

    @Test void aCachedRunSaysHowManyImagesWereSkipped() throws Exception {
        Path cache = tmp.resolve("cache");
        Path zip = tmp.resolve("data").resolve("bad.zip");
        Files.createDirectories(zip.getParent());
        TestImages.writeZip(zip, Map.of("train/a/1.png", TestImages.png(TestImages.pattern(3, 3, 1)),
                "train/a/2.png", new byte[] {1, 2, 3}, "train/b/3.png", TestImages.png(TestImages.pattern(3, 3, 2))));
        Dataset first = Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache).withSkipBad(true));
        Dataset second = Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache).withSkipBad(true));
        assertThat(first.description()).contains("(1 corrupt images skipped)").doesNotContain("cached");
        assertThat(second.description()).contains("(1 corrupt images skipped)").contains("cached");
        assertThat(second.skipped()).isEqualTo(1);
        assertThat(second.size()).isEqualTo(2);
    }

    @Test void damagedCacheIsNamed() throws Exception {
        Path cache = tmp.resolve("cache");
        Path zip = zip(0);
        Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache));
        Path f = files(cache).get(0);
        byte[] b = Files.readAllBytes(f);
        b[b.length - 20] ^= 1;
        Files.write(f, b);
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, TestImages.quiet(cache)))
                .isInstanceOf(DataException.class).hasMessageContaining(f.toString()).hasMessageContaining("checksum");
    }

    @Test void defaultCacheFolderIsUnderTheUsersHome() {
        Path d = LoadOptions.defaultCacheDir();
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path expected = xdg != null && !xdg.isBlank() ? Path.of(xdg, "jresnet")
                : Path.of(System.getProperty("user.home"), ".cache", "jresnet");
        assertThat(d).isEqualTo(expected);
        assertThat(LoadOptions.defaults().withCacheDir(tmp).resolvedCacheDir()).isEqualTo(tmp);
    }
}
