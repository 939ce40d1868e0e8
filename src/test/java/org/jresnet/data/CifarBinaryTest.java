package org.jresnet.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryTest {
    @TempDir Path tmp;

    /** Record r of a file: label, then R plane = (base + p), G = (base + 2p), B = (base + 3p), mod 256. */
    private static byte[] records(int count, int base) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int r = 0; r < count; r++) {
            out.write((base + r) % 10);
            for (int c = 1; c <= 3; c++) {
                for (int p = 0; p < 1024; p++) out.write(base + r + c * p);
            }
        }
        return out.toByteArray();
    }

    private Path release(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (int b = 1; b <= 5; b++) Files.write(dir.resolve("data_batch_" + b + ".bin"), records(2, b * 10));
        Files.write(dir.resolve("test_batch.bin"), records(3, 100));
        return dir;
    }

    @Test void readsRecordsAsHwcWithStandardClasses() throws Exception {
        Path dir = release(tmp.resolve("cifar"));
        Dataset train = Datasets.open(dir, Split.TRAIN, TestImages.quiet(tmp.resolve("cache")));
        assertThat(train.size()).isEqualTo(10);
        assertThat(train.classes()).containsExactlyElementsOf(CifarBinary.CLASSES);
        assertThat(train.width()).isEqualTo(32);
        // Record 1 of data_batch_3: base 31, label 31 % 10 = 1.
        int i = 2 * 2 + 1;
        assertThat(train.label(i)).isEqualTo(1);
        assertThat(train.name(i)).isEqualTo("data_batch_3.bin#1");
        RgbImage img = train.image(i);
        int x = 5, y = 7, p = y * 32 + x;
        assertThat(img.get(x, y, 0)).isEqualTo((31 + p) & 0xFF);
        assertThat(img.get(x, y, 1)).isEqualTo((31 + 2 * p) & 0xFF);
        assertThat(img.get(x, y, 2)).isEqualTo((31 + 3 * p) & 0xFF);
        Dataset test = Datasets.open(dir, Split.TEST, TestImages.quiet(tmp.resolve("cache")));
        assertThat(test.size()).isEqualTo(3);
        assertThat(test.label(2)).isEqualTo(2);
        assertThat(Files.exists(tmp.resolve("cache"))).as("raw binary needs no decode cache").isFalse();
    }

    @Test void classNamesFromMetaAndReleaseFolderOneLevelDown() throws Exception {
        Path dir = release(tmp.resolve("parent").resolve(CifarBinary.RELEASE_FOLDER));
        Files.writeString(dir.resolve("batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n");
        Dataset ds = Datasets.open(tmp.resolve("parent"), Split.TEST, TestImages.quiet(tmp));
        assertThat(ds.classes()).containsExactly("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    }

    @Test void malformedReleaseIsAOneLineError() throws Exception {
        Path dir = release(tmp.resolve("broken"));
        Files.delete(dir.resolve("data_batch_4.bin"));
        assertThatThrownBy(() -> Datasets.open(dir, Split.TRAIN, TestImages.quiet(tmp)))
                .isInstanceOf(DataException.class).hasMessageContaining("lacks data_batch_4.bin");
        Files.write(dir.resolve("test_batch.bin"), new byte[3072]);
        assertThatThrownBy(() -> Datasets.open(dir, Split.TEST, TestImages.quiet(tmp)))
                .isInstanceOf(DataException.class).hasMessageContaining("3073-byte");
        Files.writeString(dir.resolve("batches.meta.txt"), "only\ntwo\n");
        Files.write(dir.resolve("test_batch.bin"), records(3, 100));
        assertThatThrownBy(() -> Datasets.open(dir, Split.TEST, TestImages.quiet(tmp)))
                .isInstanceOf(DataException.class).hasMessageContaining("has label 2 but there are 2 classes");
    }

    @Test void otherFilesAreRejectedWithTheReason() throws Exception {
        Path f = tmp.resolve("data.tar");
        Files.writeString(f, "x");
        assertThatThrownBy(() -> Datasets.open(f, Split.TRAIN, TestImages.quiet(tmp)))
                .isInstanceOf(DataException.class).hasMessageContaining("unsupported dataset");
    }
}
