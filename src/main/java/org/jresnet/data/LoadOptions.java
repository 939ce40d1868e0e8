package org.jresnet.data;

import java.nio.file.Path;

/**
 * How {@link Datasets#open} loads: where decoded caches live, whether corrupt images are skipped,
 * progress output, decoding threads, memory-vs-streaming and what one image may cost to decode.
 *
 * @param cacheDir  folder for decoded uint8 caches; null = {@link #defaultCacheDir()}
 * @param useCache  read and write the decoded cache (false: decode every time)
 * @param skipBad   skip (and count) corrupt images instead of failing on the first
 * @param quiet     no progress output
 * @param threads   decoding threads (>= 1)
 * @param mode      AUTO keeps equally sized images in memory when they fit in
 *                  {@link Datasets#MEMORY_BUDGET_FRACTION} of the heap and streams otherwise
 * @param limits    pixels and encoded bytes one image may have
 */
public record LoadOptions(Path cacheDir, boolean useCache, boolean skipBad, boolean quiet, int threads, Mode mode,
                          DecodeLimits limits) {
    public enum Mode { AUTO, MEMORY, STREAM }

    public LoadOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (limits == null) throw new IllegalArgumentException("decode limits are required");
    }

    public static LoadOptions defaults() {
        return new LoadOptions(null, true, false, false, Runtime.getRuntime().availableProcessors(), Mode.AUTO,
                DecodeLimits.defaults());
    }

    public LoadOptions withCacheDir(Path dir) { return new LoadOptions(dir, useCache, skipBad, quiet, threads, mode, limits); }
    public LoadOptions withUseCache(boolean b) { return new LoadOptions(cacheDir, b, skipBad, quiet, threads, mode, limits); }
    public LoadOptions withSkipBad(boolean b) { return new LoadOptions(cacheDir, useCache, b, quiet, threads, mode, limits); }
    public LoadOptions withQuiet(boolean b) { return new LoadOptions(cacheDir, useCache, skipBad, b, threads, mode, limits); }
    public LoadOptions withThreads(int t) { return new LoadOptions(cacheDir, useCache, skipBad, quiet, t, mode, limits); }
    public LoadOptions withMode(Mode m) { return new LoadOptions(cacheDir, useCache, skipBad, quiet, threads, m, limits); }
    public LoadOptions withLimits(DecodeLimits l) { return new LoadOptions(cacheDir, useCache, skipBad, quiet, threads, mode, l); }

    /** The cache folder in effect: {@code cacheDir}, else $XDG_CACHE_HOME/jresnet, else ~/.cache/jresnet. */
    public Path resolvedCacheDir() {
        return cacheDir != null ? cacheDir : defaultCacheDir();
    }

    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "jresnet");
        return Path.of(System.getProperty("user.home"), ".cache", "jresnet");
    }
}
