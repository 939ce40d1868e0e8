package org.jresnet.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * ImageFolder zips from strangers: archives of real images (sample JPEGs, a PNG, a BMP, a GIF) or
 * junk under generated entry names (class folders, split folders, hidden files, {@code __MACOSX},
 * absolute names, {@code ../} traversals, backslashes, non-ASCII), stored or deflated, then
 * mutated byte-wise and in their zip records' fields (CRCs, sizes, name lengths, offsets, entry
 * counts). Both splits are loaded through {@code Datasets.open} with the decode cache in the
 * case's output folder. Property: a {@code DataException} (or the wrapped I/O error) with a
 * one-line message, or images that are each exactly one of the archived images (a damaged entry
 * must never decode to different pixels), and no file written outside the output folder.
 */
@Tag("fuzz")
class ZipDatasetFuzzTest {
    private static FuzzWorkers worker;
    private static List<byte[]> images;

    @BeforeContainer
    static void start() {
        worker = new FuzzWorkers("zip");
        images = new ArrayList<>(FuzzSeeds.zipImages().values());
    }

    @AfterContainer
    static void stop() {
        worker.close();
    }

    record Entry(String name, int content, boolean stored) {}

    @Provide
    Arbitrary<Entry> entries() {
        Arbitrary<String> cls = Arbitraries.of("cat", "dog", "c\u00e9", ".hidden", "__MACOSX", "a b", "x\ny");
        Arbitrary<String> file = Arbitraries.oneOf(Arbitraries.of("a.jpg", "b.PNG", "c.bmp", "d.gif", "e.jpeg", ".x.jpg", "._y.jpg",
                "f.tif", "g.webp", "h.txt", "..", "i.jpg/", "t\u0007\r.jpg"), Arbitraries.strings().alpha().ofMaxLength(6).map(s -> s + ".jpg"));
        Arbitrary<String> prefix = Arbitraries.of("", "train/", "test/", "val/", "root/train/", "root/test/", "../", "../../",
                "/", "/tmp/", "train/../../", "train\\..\\", "./", "C:/");
        Arbitrary<String> name = Combinators.combine(prefix, cls, file).as((p, c, f) -> p + c + "/" + f);
        return Combinators.combine(name, Arbitraries.integers().between(-1, images.size() - 1), Arbitraries.of(true, false))
                .as(Entry::new);
    }

    @Property
    void zipsLoadIntactImagesOrAreRefusedInOneLine(@ForAll @Size(min = 1, max = 6) List<@net.jqwik.api.From("entries") Entry> entries,
                                                   @ForAll long seed, @ForAll @IntRange(min = 0, max = 6) int mutations) {
        byte[] zip = new Mutator(seed, true, false).mutate(zip(entries), mutations);
        worker.runFile("case.zip", zip);
    }

    private static byte[] zip(List<Entry> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Set<String> names = new LinkedHashSet<>();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Entry e : entries) {
                if (!names.add(e.name)) continue;
                byte[] data = e.name.endsWith("/") ? new byte[0]
                        : e.content < 0 ? "not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII) : images.get(e.content);
                ZipEntry ze = new ZipEntry(e.name);
                if (e.stored) {
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(data.length);
                    ze.setCompressedSize(data.length);
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(data);
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

}
