package org.jresnet.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jresnet.data.DataException;
import org.jresnet.data.Datasets;
import org.jresnet.data.LoadOptions;
import org.jresnet.data.Split;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsException;
import org.jresnet.io.torch.TorchCheckpointException;
import org.jresnet.io.torch.TorchCheckpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every input the fuzzers found mishandled, fixed in the loader and kept here (run in-process by
 * every build, not only with the fuzzers). Before the fixes each gave a message of several lines,
 * or one that said "null", or an I/O error where a damaged image was meant.
 */
class FuzzRegressionTest {
    @TempDir Path tmp;

    private static void assertOneClearLine(Throwable e) {
        assertThat(FuzzWorker.oneLine(e.getMessage())).as("one clear line: " + e.getMessage()).isTrue();
    }

    /** SafeTensorsFuzzTest: a tensor named "\n" (header {"\n":{"shape":[],"data_offsets":[0,0]}}) broke the message in two. */
    @Test void aTensorNameWithALineBreakGivesOneLine() throws IOException {
        byte[] json = "{\"\\n\":{\"shape\":[],\"data_offsets\":[0,0]}}".getBytes(StandardCharsets.UTF_8);
        Path f = tmp.resolve("x.safetensors");
        Files.write(f, ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).array());
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(SafeTensorsException.class)
                .satisfies(FuzzRegressionTest::assertOneClearLine).hasMessageContaining("tensor '\\n': missing dtype");
    }

    /** ZipDatasetFuzzTest: a deflated entry cut short raised "cannot read ./a b/Y.jpg: null", an I/O error --skip-bad did not skip. */
    @Test void aDamagedDeflateStreamIsABadImageWithItsReason() throws IOException {
        Path zip = tmp.resolve("case.zip");
        Files.write(zip, FuzzSeeds.resource("regressions/zip-entry-eof-null-message.zip"));
        LoadOptions opt = LoadOptions.defaults().withCacheDir(tmp.resolve("cache")).withQuiet(true).withThreads(1);
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, opt)).isInstanceOf(DataException.class)
                .satisfies(FuzzRegressionTest::assertOneClearLine).hasMessageContaining("damaged zip entry");
        // and with --skip-bad the damaged image is skipped, the others load
        try (var d = Datasets.open(zip, Split.TRAIN, opt.withSkipBad(true))) {
            assertThat(d.skipped()).isPositive();
            assertThat(d.size()).isPositive();
        }
    }

    /** TorchCheckpointFuzzTest: a storage entry whose reading failed without a message gave "cannot read views/data/2 (null)". */
    @Test void aStorageThatCannotBeReadSaysWhy() throws IOException {
        Path f = tmp.resolve("case.pth");
        Files.write(f, FuzzSeeds.resource("regressions/torch-storage-null-message.pth"));
        assertThatThrownBy(() -> TorchCheckpoints.read(f)).isInstanceOf(TorchCheckpointException.class)
                .satisfies(FuzzRegressionTest::assertOneClearLine).hasMessageContaining("views/data/2");
    }

    /** CifarBinaryFuzzTest: a batches.meta.txt that is not UTF-8 said only "Input length = 1". */
    @Test void aClassListThatIsNotUtf8IsNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cifar"));
        Files.write(dir.resolve("test_batch.bin"), new byte[3073]);
        Files.write(dir.resolve("batches.meta.txt"), new byte[] {'c', 'a', 't', '\n', (byte) 0xC3, (byte) 0x28});
        assertThatThrownBy(() -> Datasets.open(dir, Split.TEST, LoadOptions.defaults().withQuiet(true)))
                .isInstanceOf(DataException.class).satisfies(FuzzRegressionTest::assertOneClearLine)
                .hasMessageContaining("batches.meta.txt is not UTF-8 text");
    }

    /** ZipDatasetFuzzTest (100,000-case run): an entry name that is not UTF-8 escaped ZipFile as IllegalArgumentException. */
    @Test void anEntryNameThatIsNotUtf8IsARefusedZip() throws IOException {
        Path zip = tmp.resolve("case.zip");
        Files.write(zip, FuzzSeeds.resource("regressions/zip-entry-name-not-utf8.zip"));
        LoadOptions opt = LoadOptions.defaults().withCacheDir(tmp.resolve("cache")).withQuiet(true).withThreads(1);
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, opt)).isInstanceOf(DataException.class)
                .satisfies(FuzzRegressionTest::assertOneClearLine).hasMessageContaining("not valid UTF-8");
    }

    /** ZipDatasetFuzzTest: zip entry names with control characters (a class folder "x\ny") broke messages in two. */
    @Test void zipEntryNamesWithLineBreaksGiveOneLine() throws IOException {
        Path zip = tmp.resolve("names.zip");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            z.putNextEntry(new ZipEntry("x\ny/a.jpg"));
            z.write("not an image".getBytes(StandardCharsets.US_ASCII));
            z.closeEntry();
        }
        Files.write(zip, b.toByteArray());
        LoadOptions opt = LoadOptions.defaults().withCacheDir(tmp.resolve("cache")).withQuiet(true).withThreads(1);
        assertThatThrownBy(() -> Datasets.open(zip, Split.TRAIN, opt)).isInstanceOf(DataException.class)
                .satisfies(FuzzRegressionTest::assertOneClearLine).hasMessageContaining("x\\ny/a.jpg");
    }
}
