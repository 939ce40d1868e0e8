package org.jresnet.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * CIFAR-10 binary folders from strangers: batch files of 0 to 3 records (labels up to 11 of 10
 * classes), mutated (cut, extended, flipped), train batches present or missing, and a
 * {@code batches.meta.txt} absent, of generated class names, or of raw bytes (not UTF-8). Both
 * splits are opened. Property: a {@code DataException} (or the I/O error of an unreadable file) with
 * a one-line message, or exactly the records the files hold, pixel for pixel.
 */
@Tag("fuzz")
class CifarBinaryFuzzTest {
    private static FuzzWorkers worker;

    @BeforeContainer
    static void start() {
        worker = new FuzzWorkers("cifar");
    }

    @AfterContainer
    static void stop() {
        worker.close();
    }

    @Property
    void foldersAreReadExactlyOrRefusedInOneLine(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int records,
                                                 @ForAll @IntRange(min = 0, max = 4) int mutations,
                                                 @ForAll @IntRange(min = 0, max = 6) int trainBatches,
                                                 @ForAll @IntRange(min = 0, max = 2) int metaKind,
                                                 @ForAll @StringLength(max = 40) String metaText) {
        Random r = new Random(seed);
        Path folder = worker.freshCaseDir().resolve("cifar");
        try {
            Files.createDirectories(folder);
            Files.write(folder.resolve("test_batch.bin"), batch(r, records, mutations, seed));
            for (int b = 1; b <= Math.min(trainBatches, 5); b++) {
                Files.write(folder.resolve("data_batch_" + b + ".bin"), batch(r, 1 + r.nextInt(2), b == trainBatches ? mutations : 0, seed + b));
            }
            if (metaKind == 1) Files.writeString(folder.resolve("batches.meta.txt"), metaText.replace('\u0000', '\n'), StandardCharsets.UTF_8);
            if (metaKind == 2) {
                byte[] raw = new byte[r.nextInt(40)];
                r.nextBytes(raw);
                Files.write(folder.resolve("batches.meta.txt"), raw);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        worker.run(folder);
    }

    private static byte[] batch(Random r, int records, int mutations, long seed) {
        byte[] b = new byte[records * 3073];
        r.nextBytes(b);
        for (int i = 0; i < records; i++) b[i * 3073] = (byte) r.nextInt(r.nextInt(8) == 0 ? 12 : 10);
        return mutations == 0 ? b : new Mutator(seed, false, false).mutate(b, mutations);
    }

}
