package org.jresnet.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The run folder's lock: an OS lock on {@code .lock} inside it, held while one training writes the
 * folder. A second training into the same folder (a new run or a resume, from this process or
 * another) fails at once instead of both writing and one run's results being lost. The OS drops
 * the lock when the process dies, however it dies, so a crashed run never leaves the folder locked
 * (a pid file would). A watcher ({@code serve --runs}) tells a running run from a stopped one by
 * it ({@link #isHeld}): the files alone cannot, a run is silent for a whole epoch. {@link #close}
 * keeps the file: deleting it would let two processes lock two different files. Only
 * {@link #closeAndRemoveIfEmpty} deletes it, still locked, with the folder a rejected command made.
 */
public final class RunLock implements AutoCloseable {
    /** The lock file's name in the run folder (hidden: it is not a result). */
    public static final String FILE = ".lock";
    /** A watcher's probe holds a shared lock for microseconds; a trainer retries this long before giving up. */
    private static final int ACQUIRE_ATTEMPTS = 20;
    private static final long ACQUIRE_PAUSE_MS = 50;

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks the existing folder {@code dir}, or fails naming it when another training holds it. */
    public static RunLock acquire(Path dir) throws IOException {
        FileChannel ch;
        FileLock l;
        try {
            ch = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("cannot lock the run folder " + dir + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        try {
            l = null;
            for (int i = 0; i < ACQUIRE_ATTEMPTS && l == null; i++) {
                l = ch.tryLock();
                if (l == null) Thread.sleep(ACQUIRE_PAUSE_MS);
            }
        } catch (OverlappingFileLockException sameProcess) {
            l = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            l = null;
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot lock the run folder " + dir + " (" + e.getMessage() + ")");
        }
        if (l == null) {
            ch.close();
            throw inUse(dir);
        }
        return new RunLock(dir, ch, l);
    }

    /** Fails as {@link #acquire} would when another training holds {@code dir} now; takes nothing. */
    public static void requireFree(Path dir) throws IOException {
        if (Files.isDirectory(dir) && isHeld(dir)) throw inUse(dir);
    }

    private static IOException inUse(Path dir) {
        return new IOException("the run folder " + dir + " is in use by another training; wait for it to end"
                + " or choose another folder");
    }

    public Path dir() { return dir; }

    /** Whether a process holds the lock of {@code dir} now (false when the folder has no lock file). */
    public static boolean isHeld(Path dir) {
        try (FileChannel ch = FileChannel.open(dir.resolve(FILE), StandardOpenOption.READ)) {
            FileLock probe = ch.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) return true;
            probe.release();
            return false;
        } catch (OverlappingFileLockException sameProcess) {
            return true;
        } catch (NoSuchFileException none) {
            return false;
        } catch (IOException unreadable) {
            return false;
        }
    }

    @Override public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /**
     * Releases the lock and, when the folder holds nothing but the lock file, removes both: a
     * command rejected before it wrote anything leaves no empty run folder behind. The file goes
     * while still locked, so no other training can be holding it.
     */
    public void closeAndRemoveIfEmpty() throws IOException {
        try (var s = Files.list(dir)) {
            if (s.allMatch(p -> p.getFileName().toString().equals(FILE))) {
                Files.deleteIfExists(dir.resolve(FILE));
            }
        } finally {
            close();
        }
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException someoneElse) {
            // another run started writing here meanwhile: the folder is theirs
        }
    }
}
