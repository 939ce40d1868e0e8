package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decode thread that dies (an OutOfMemoryError on a huge image) must fail the load: its images
 * would otherwise stay blank, be trained on and be written to the decode cache for every later run.
 */
class DecodeWorkerFailureTest {
    @TempDir Path tmp;

    @Test void anErrorOnAnotherThreadIsThrownToTheCaller() {
        Thread caller = Thread.currentThread();
        Runnable worker = () -> {
            if (Thread.currentThread() != caller) throw new OutOfMemoryError("Java heap space");
        };
        assertThatThrownBy(() -> Datasets.runWorkers(worker, 2)).isInstanceOf(OutOfMemoryError.class);
    }

    @Test void aDecodeThreadsOutOfMemoryFailsTheLoadAndWritesNoCache() throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < 12; i++) files.put("train/" + (i % 2 == 0 ? "a" : "b") + "/" + i + ".png",
                TestImages.png(TestImages.pattern(4, 4, i)));
        Path zip = tmp.resolve("ds.zip");
        TestImages.writeZip(zip, files);
        Path cache = tmp.resolve("cache");
        LoadOptions opt = TestImages.quiet(cache).withThreads(3);
        Datasets.ImageDecode real = (index, i) -> ImageDecoder.decode(readUnchecked(index, i), index.source(i).name());
        Datasets.ImageDecode failing = (index, i) -> {
            if (index.source(i).name().equals("train/b/7.png")) throw new OutOfMemoryError("Java heap space");
            return real.decode(index, i);
        };
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, opt, failing))
                .isInstanceOf(DataException.class).hasMessageContaining("out of memory decoding train/b/7.png")
                .hasCauseInstanceOf(OutOfMemoryError.class);
        assertThat(cacheFiles(cache)).as("no cache from a failed decode").isEmpty();

        try (Dataset ds = Datasets.open(zip, Split.TRAIN, opt)) {
            int i = 0;
            while (!ds.name(i).equals("train/b/7.png")) i++;
            assertThat(ds.image(i).pixels()).isEqualTo(TestImages.pattern(4, 4, 7).pixels());
        }
    }

    private static byte[] readUnchecked(ImageFolderIndex index, int i) {
        try {
            return index.source(i).read(DecodeLimits.defaults());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static java.util.List<Path> cacheFiles(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return java.util.List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
