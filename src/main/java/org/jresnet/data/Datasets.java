package org.jresnet.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jresnet.io.OneLine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens a dataset, its format detected from the path:
 * <ul>
 *   <li>a folder with {@code data_batch_1.bin}/{@code test_batch.bin} (or holding
 *       {@code cifar-10-batches-bin/}): CIFAR-10 binary, read straight into memory;</li>
 *   <li>any other folder, or a {@code .zip}: ImageFolder (one folder per class), decoded in
 *       parallel into memory and cached, or streamed (see {@link LoadOptions.Mode}).</li>
 * </ul>
 */
public final class Datasets {
    private Datasets() {}

    /** Share of the heap an in-memory dataset may take in AUTO mode; the rest is the engine's. */
    public static final double MEMORY_BUDGET_FRACTION = 0.25;

    public static Dataset open(Path path, Split split, LoadOptions opt) {
        return open(path, split, opt, (index, i) -> decode(index, i, opt.limits()));
    }

    /**
     * Whether every split of {@code path} is the same images: an ImageFolder tree (or zip) without
     * {@code train/}, {@code test/} or {@code val/} folders. Lists the tree, decodes nothing; a path
     * that {@link #open} would refuse gives false here and its error there.
     */
    public static boolean splitsAreOneSet(Path path) {
        if (!Files.exists(path) || CifarBinary.releaseFolder(path) != null || isFileButNotZip(path)) return false;
        try (ImageFolderIndex index = ImageFolderIndex.open(path, Split.TRAIN)) {
            return index.wholeTree();
        }
    }

    /** A file that cannot hold an ImageFolder tree (only a folder or a .zip can). */
    private static boolean isFileButNotZip(Path path) {
        return Files.isRegularFile(path) && !path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip");
    }

    /** Decodes image {@code i} of an index: the real decoder, or in tests one that fails on purpose. */
    @FunctionalInterface
    interface ImageDecode {
        RgbImage decode(ImageFolderIndex index, int i);
    }

    static Dataset open(Path path, Split split, LoadOptions opt, ImageDecode decoder) {
        if (!Files.exists(path)) throw new DataException("dataset not found: " + path);
        if (CifarBinary.releaseFolder(path) != null) return CifarBinary.read(path, split);
        if (isFileButNotZip(path)) {
            throw new DataException("unsupported dataset " + path
                    + ": expected a folder (ImageFolder or CIFAR-10 binary release) or a .zip of an ImageFolder tree");
        }
        ImageFolderIndex index = ImageFolderIndex.open(path, split);
        try {
            if (opt.mode() == LoadOptions.Mode.STREAM) return new StreamedDataset(index, opt.skipBad(), opt.limits());
            Path cacheFile = opt.useCache()
                    ? DecodeCache.file(opt.resolvedCacheDir(), path, split, index.fingerprint(), opt.skipBad(), opt.limits()) : null;
            if (cacheFile != null) {
                InMemoryDataset cached = DecodeCache.read(cacheFile, opt.skipBad(), index.description());
                if (cached != null) {
                    index.close();
                    return cached;
                }
            }
            Decoded d = decodeAll(index, opt, decoder);
            if (d.dataset == null) {
                if (opt.mode() == LoadOptions.Mode.MEMORY) throw new DataException(d.whyStream + "; it must be streamed");
                if (!opt.quiet()) System.err.println("jresnet: " + d.whyStream + ": streaming it (decoded per epoch)");
                return new StreamedDataset(index, opt.skipBad(), opt.limits());
            }
            index.close();
            if (cacheFile != null) {
                try {
                    DecodeCache.write(cacheFile, d.dataset);
                } catch (IOException e) {
                    System.err.println("jresnet: warning: decode cache not kept: " + e.getMessage()
                            + "; the next run decodes again");
                }
            }
            return d.dataset;
        } catch (IOException e) {
            index.close();
            throw new UncheckedIOException("cannot read dataset " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /** The in-memory dataset, or null with the reason it has to be streamed. */
    private record Decoded(InMemoryDataset dataset, String whyStream) {}

    /**
     * Decodes every image on {@code opt.threads()} threads, each taking the next index from a
     * shared counter and writing its own slot, so the result does not depend on timing. Any
     * failure of any thread (an OutOfMemoryError included) stops all of them and is thrown here:
     * a slot nobody filled must never reach the dataset or its cache.
     */
    private static Decoded decodeAll(ImageFolderIndex index, LoadOptions opt, ImageDecode decoder) {
        int n = index.size();
        boolean[] bad = new boolean[n];
        try (Progress progress = Progress.start("decoding " + index.shortName(), n, opt.quiet())) {
            // The first good image fixes the size every other image must have.
            int first = 0;
            RgbImage img0 = null;
            for (; first < n && img0 == null; first++) {
                try {
                    img0 = decoder.decode(index, first);
                } catch (BadImageException e) {
                    if (!opt.skipBad()) throw e;
                    bad[first] = true;
                }
                progress.step(1);
            }
            if (img0 == null) throw new DataException("no decodable image in " + index.description());
            int h = img0.height(), w = img0.width(), bytes = h * w * 3;
            long total = (long) n * bytes;
            long budget = (long) (Runtime.getRuntime().maxMemory() * MEMORY_BUDGET_FRACTION);
            if (total > budget || total > Integer.MAX_VALUE - 16) {
                return new Decoded(null, index.size() + " images of " + w + "x" + h + " need " + (total >> 20)
                        + " MB, more than " + (budget >> 20) + " MB of the heap");
            }
            byte[] pixels = new byte[(int) total];
            System.arraycopy(img0.pixels(), 0, pixels, (first - 1) * bytes, bytes);
            AtomicInteger next = new AtomicInteger(first);
            AtomicInteger filled = new AtomicInteger(first);
            AtomicReference<Throwable> error = new AtomicReference<>();
            AtomicReference<String> mismatch = new AtomicReference<>();
            Runnable worker = () -> {
                int i;
                while (error.get() == null && mismatch.get() == null && (i = next.getAndIncrement()) < n) {
                    try {
                        RgbImage img = decoder.decode(index, i);
                        if (img.width() != w || img.height() != h) {
                            mismatch.compareAndSet(null, "images have unequal sizes (" + index.source(i).name() + " is "
                                    + img.width() + "x" + img.height() + ", " + w + "x" + h + " expected)");
                            return;
                        }
                        System.arraycopy(img.pixels(), 0, pixels, i * bytes, bytes);
                    } catch (BadImageException e) {
                        if (!opt.skipBad()) {
                            error.compareAndSet(null, e);
                            return;
                        }
                        bad[i] = true;
                    } catch (OutOfMemoryError e) {
                        error.compareAndSet(null, new DataException("out of memory decoding " + index.source(i).name()
                                + " (" + (Runtime.getRuntime().maxMemory() >> 20) + " MB heap)", e));
                        return;
                    } catch (Throwable t) {
                        error.compareAndSet(null, t);
                        return;
                    }
                    filled.incrementAndGet();
                    progress.step(1);
                }
            };
            runWorkers(worker, opt.threads());
            if (error.get() != null) throw rethrowable(error.get());
            if (mismatch.get() != null) return new Decoded(null, mismatch.get());
            if (filled.get() != n) {
                throw new IllegalStateException("decoding filled " + filled.get() + " of " + n + " images of "
                        + index.description());
            }
            return new Decoded(compact(index, pixels, bad, bytes, h, w, opt.skipBad()), null);
        }
    }

    private static RgbImage decode(ImageFolderIndex index, int i, DecodeLimits limits) {
        ImageSource s = index.source(i);
        try {
            return ImageDecoder.decode(s.read(limits), s.name(), limits);
        } catch (IOException e) {
            throw new UncheckedIOException(OneLine.of("cannot read " + s.name() + ": " + OneLine.reason(e)), e);
        }
    }

    /**
     * Runs {@code worker} on {@code threads} threads, this one included, and waits for all. The
     * first failure of any of them, an Error included, is thrown here once all have stopped: a
     * thread that died would otherwise leave its share of the work silently undone.
     */
    static void runWorkers(Runnable worker, int threads) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable guarded = () -> {
            try {
                worker.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        List<Thread> ts = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            Thread th = new Thread(guarded, "jresnet-decode-" + t);
            th.setDaemon(true);
            th.start();
            ts.add(th);
        }
        guarded.run();
        for (Thread th : ts) {
            try {
                th.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataException("interrupted while decoding");
            }
        }
        if (failure.get() != null) throw rethrowable(failure.get());
    }

    /** {@code t} as something a method without a throws clause can throw. */
    private static RuntimeException rethrowable(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new DataException("decoding failed: " + t, t);
    }

    /** Drops the slots of skipped images, keeping order. */
    private static InMemoryDataset compact(ImageFolderIndex index, byte[] pixels, boolean[] bad, int bytes,
                                           int h, int w, boolean skipBad) {
        int n = index.size(), kept = 0;
        for (boolean b : bad) if (!b) kept++;
        int skipped = n - kept;
        byte[] px = skipped == 0 ? pixels : new byte[kept * bytes];
        int[] labels = new int[kept];
        String[] names = new String[kept];
        for (int i = 0, k = 0; i < n; i++) {
            if (bad[i]) continue;
            if (skipped != 0) System.arraycopy(pixels, i * bytes, px, k * bytes, bytes);
            labels[k] = index.label(i);
            names[k] = index.source(i).name();
            k++;
        }
        if (kept == 0) throw new DataException("no decodable image in " + index.description());
        String desc = index.description() + (skipped > 0 ? " (" + skipped + " corrupt images skipped)" : "");
        return new InMemoryDataset(px, labels, names, index.classes(), h, w, skipped, skipBad, desc);
    }
}
