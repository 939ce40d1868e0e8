package org.jresnet.fuzz;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jresnet.data.DataException;
import org.jresnet.data.Dataset;
import org.jresnet.data.Datasets;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.LoadOptions;
import org.jresnet.data.RgbImage;
import org.jresnet.data.Split;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsException;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.TensorData;
import org.jresnet.io.torch.TorchCheckpointException;
import org.jresnet.io.torch.TorchCheckpoints;
import org.jresnet.io.torch.TorchTensor;

/**
 * The child JVM that runs fuzz cases, so that a decoder which cannot be interrupted (ImageIO's
 * native libjpeg, a loop in a parser) is stopped by killing the process ({@link FuzzWorkers}), and
 * an allocation beyond the bound ends in this JVM's OutOfMemoryError, not the test JVM's.
 *
 * <p>Protocol: one request line {@code loader TAB path} on stdin, one answer line on stdout:
 * {@code OK detail}, {@code REFUSED message} (the loader's documented exception, one line),
 * or {@code BAD what} (any other exception, a multi-line message, a wrong result, an allocation
 * over {@link FuzzLimits#ALLOCATION_BOUND}, a file written outside the case's folder). Anything the
 * loaders print goes to stderr, never into the protocol.
 */
public final class FuzzWorker {
    private FuzzWorker() {}

    /** What a case does: loads its input and checks what it loaded. */
    @FunctionalInterface
    interface Loader {
        String load(Path input) throws Exception;
    }

    /** Thrown for a result that loaded but is wrong. */
    static final class WrongResult extends RuntimeException {
        WrongResult(String m) { super(m); }
    }

    public static void main(String[] args) throws Exception {
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        protocol.println("READY");
        for (String line; (line = in.readLine()) != null; ) {
            int tab = line.indexOf('\t');
            String loader = line.substring(0, tab);
            Path input = Path.of(line.substring(tab + 1));
            long before = threads.getCurrentThreadAllocatedBytes();
            String answer;
            try {
                answer = run(loader, input);
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                if (allocated > FuzzLimits.ALLOCATION_BOUND) {
                    answer = "BAD allocated " + allocated + " bytes, over the bound of " + FuzzLimits.ALLOCATION_BOUND;
                }
            } catch (Throwable t) {
                answer = "BAD " + describe(t);
            }
            protocol.println(answer.replace('\n', '|').replace('\r', '|'));
            if (answer.startsWith("BAD OutOfMemoryError")) System.exit(3);  // a fresh JVM for the next case
        }
    }

    static String run(String loader, Path input) throws Exception {
        Loader l = switch (loader) {
            case "safetensors" -> FuzzWorker::safetensors;
            case "image" -> FuzzWorker::image;
            case "zip" -> FuzzWorker::zipDataset;
            case "cifar" -> FuzzWorker::cifar;
            case "torch" -> FuzzWorker::torch;
            // the harness's own faults, so FuzzHarnessTest can show each bound fails a case
            case "selftest-hang" -> in -> {
                Thread.sleep(Long.MAX_VALUE);
                return "";
            };
            case "selftest-allocate" -> in -> "" + new byte[(int) FuzzLimits.ALLOCATION_BOUND + 1].length;
            case "selftest-escape" -> in -> {
                Files.writeString(in.resolveSibling("../escaped.txt"), "x");
                return "";
            };
            case "selftest-npe" -> in -> in.resolveSibling("missing").getFileSystem().getPath(null).toString();
            case "selftest-ok" -> in -> "fine";
            default -> throw new IllegalArgumentException("unknown loader " + loader);
        };
        Path root = input.getParent();
        Set<Path> before = listing(root);
        String result;
        try {
            result = "OK " + l.load(input);
        } catch (WrongResult e) {
            return "BAD wrong result: " + e.getMessage();
        } catch (Exception e) {
            if (!documented(loader, e)) return "BAD undocumented " + describe(e);
            String m = e.getMessage();
            if (!oneLine(m)) return "BAD not one clear line: " + describe(e);
            result = "REFUSED " + e.getClass().getSimpleName() + ": " + m;
        }
        Set<Path> after = listing(root);
        after.removeAll(before);
        for (Path p : after) {
            if (!p.startsWith(root.resolve(FuzzLimits.OUTPUT_FOLDER))) return "BAD wrote " + p + " outside " + root.resolve(FuzzLimits.OUTPUT_FOLDER);
        }
        return result;
    }

    /** Every path under the sandbox, two levels above the case's folder (where a ../../ traversal would land). */
    private static Set<Path> listing(Path root) throws java.io.IOException {
        Set<Path> out = new HashSet<>();
        try (Stream<Path> s = Files.walk(root.getParent().getParent())) {
            s.forEach(out::add);
        }
        return out;
    }

    /** One line that says something: no line break, and no "null" standing in for a missing reason. */
    static boolean oneLine(String m) {
        return m != null && !m.isBlank() && !m.contains("\n") && !m.contains("\r") && !m.contains("(null)") && !m.endsWith(": null");
    }

    /** The exceptions each loader documents for bad input. */
    static boolean documented(String loader, Exception e) {
        return switch (loader) {
            case "safetensors" -> e instanceof SafeTensorsException;
            case "image" -> e instanceof org.jresnet.data.BadImageException;
            case "zip", "cifar" -> e instanceof DataException;
            case "torch" -> e instanceof TorchCheckpointException;
            default -> false;
        };
    }

    static String describe(Throwable t) {
        StringBuilder b = new StringBuilder(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(6, st.length); i++) b.append(" at ").append(st[i]);
        return b.toString();
    }

    // ------------------------------------------------------------------ loaders and their checks

    static String safetensors(Path file) throws Exception {
        SafeTensorsFile f = SafeTensors.read(file);
        long values = 0;
        for (var e : f.tensors().entrySet()) {
            TensorData t = e.getValue();
            int n = t.floats() != null ? t.floats().length : t.longs().length;
            if (n != t.size()) throw new WrongResult("tensor " + e.getKey() + " holds " + n + " values, shape " + Arrays.toString(t.shape()));
            values += n;
        }
        // what was read writes and reads back the same (the writer refuses only dtypes it cannot write)
        Path copy = file.resolveSibling(FuzzLimits.OUTPUT_FOLDER).resolve("copy.safetensors");
        Files.createDirectories(copy.getParent());
        boolean writable = f.tensors().values().stream().allMatch(t -> t.dtype().writable)
                && f.tensors().keySet().stream().noneMatch(String::isEmpty);
        if (writable) {
            SafeTensors.write(copy, f.tensors(), f.metadata());
            SafeTensorsFile g = SafeTensors.read(copy);
            if (!g.metadata().equals(f.metadata()) || !g.tensors().keySet().equals(f.tensors().keySet())) {
                throw new WrongResult("round trip changed names or metadata");
            }
            for (var e : f.tensors().entrySet()) {
                TensorData a = e.getValue(), b = g.tensors().get(e.getKey());
                if (!Arrays.equals(a.shape(), b.shape()) || !Arrays.equals(a.floats(), b.floats()) || !Arrays.equals(a.longs(), b.longs())) {
                    throw new WrongResult("round trip changed tensor " + e.getKey());
                }
            }
        }
        return f.tensors().size() + " tensors, " + values + " values";
    }

    static String image(Path file) throws Exception {
        RgbImage img = ImageDecoder.decode(Files.readAllBytes(file), file.getFileName().toString(), FuzzLimits.DECODE);
        long px = (long) img.width() * img.height();
        if (img.width() < 1 || img.height() < 1 || px > FuzzLimits.DECODE.maxPixels() || img.pixels().length != px * 3) {
            throw new WrongResult(img.width() + "x" + img.height() + " with " + img.pixels().length + " bytes");
        }
        return img.width() + "x" + img.height();
    }

    /** A split that loads, or its documented one-line refusal (an undocumented exception propagates). */
    @FunctionalInterface
    interface SplitLoad {
        String load(Split split) throws Exception;
    }

    static String eachSplit(String loader, SplitLoad load) throws Exception {
        StringBuilder out = new StringBuilder();
        for (Split split : List.of(Split.TRAIN, Split.TEST)) {
            String r;
            try {
                r = load.load(split);
            } catch (Exception e) {
                if (!documented(loader, e)) throw e;
                String m = e.getMessage();
                if (!oneLine(m)) throw new WrongResult("not one clear line: " + describe(e));
                r = "refused (" + m + ")";
            }
            out.append(split).append(": ").append(r).append("; ");
        }
        return out.toString();
    }

    /** Every image loaded from a fuzzed zip must be one of the seed images, intact (the CRC check). */
    static String zipDataset(Path zip) throws Exception {
        Set<String> originals = FuzzSeeds.zipImagePixels();
        Path cache = zip.resolveSibling(FuzzLimits.OUTPUT_FOLDER);
        LoadOptions opt = LoadOptions.defaults().withCacheDir(cache).withQuiet(true).withThreads(1)
                .withMode(LoadOptions.Mode.MEMORY).withLimits(FuzzLimits.DECODE);
        return eachSplit("zip", split -> {
            try (Dataset d = Datasets.open(zip, split, opt)) {
                for (int i = 0; i < d.size(); i++) {
                    RgbImage img = d.image(i);
                    if (!originals.contains(FuzzSeeds.digest(img.pixels()))) {
                        throw new WrongResult(d.name(i) + " decoded to pixels of no image in the archive");
                    }
                    if (d.label(i) < 0 || d.label(i) >= d.numClasses()) throw new WrongResult("label " + d.label(i));
                }
                return d.size() + " images";
            }
        });
    }

    /** The records must be exactly the file's bytes: label, then R, G, B planes. */
    static String cifar(Path folder) throws Exception {
        return eachSplit("cifar", split -> {
            try (Dataset d = Datasets.open(folder, split, LoadOptions.defaults().withQuiet(true).withThreads(1))) {
                List<Path> files = split == Split.TEST ? List.of(folder.resolve("test_batch.bin"))
                        : Stream.of(1, 2, 3, 4, 5).map(b -> folder.resolve("data_batch_" + b + ".bin")).toList();
                int i = 0;
                for (Path f : files) {
                    byte[] b = Files.readAllBytes(f);
                    for (int r = 0; r < b.length / 3073; r++, i++) {
                        if (d.label(i) != (b[r * 3073] & 0xff)) throw new WrongResult("label of record " + r + " of " + f.getFileName());
                        RgbImage img = d.image(i);
                        for (int p = 0; p < 1024; p++) {
                            for (int c = 0; c < 3; c++) {
                                if (img.pixels()[3 * p + c] != b[r * 3073 + 1 + c * 1024 + p]) {
                                    throw new WrongResult("pixel " + p + " of record " + r + " of " + f.getFileName());
                                }
                            }
                        }
                    }
                }
                if (i != d.size()) throw new WrongResult(d.size() + " images, the files hold " + i + " records");
                return d.size() + " records";
            }
        });
    }

    static String torch(Path file) throws Exception {
        var ck = TorchCheckpoints.read(file);
        long values = 0;
        for (var e : ck.stateDict().entrySet()) {
            TorchTensor t = e.getValue();
            long numel = 1;
            for (int s : t.shape()) numel *= s;
            int n = t.floats() != null ? t.floats().length : t.longs().length;
            if ((t.floats() == null) == (t.longs() == null) || n != numel) {
                throw new WrongResult("tensor " + e.getKey() + " holds " + n + " values, shape " + Arrays.toString(t.shape()));
            }
            values += n;
        }
        return ck.stateDict().size() + " tensors, " + values + " values";
    }
}
