package org.jresnet.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An operating-system lock on {@code run.lock}, held by the process training in a run folder. A
 * watcher ({@code serve --runs}) tells a running run from a stopped one by it — the files alone
 * cannot: a run is silent for a whole epoch — and a second {@code train --resume} of the same
 * folder fails instead of interleaving its writes. The OS drops the lock when the process dies.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = "run.lock";
    /** A watcher's probe holds a shared lock for microseconds; a trainer retries this long before giving up. */
    private static final int ACQUIRE_ATTEMPTS = 20;
    private static final long ACQUIRE_PAUSE_MS = 50;

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code dir}; fails with the folder's name when another process trains there. */
    public static RunLock acquire(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            for (int i = 0; i < ACQUIRE_ATTEMPTS; i++) {
                FileLock l = ch.tryLock();
                if (l != null) return new RunLock(f, ch, l);
                Thread.sleep(ACQUIRE_PAUSE_MS);
            }
        } catch (OverlappingFileLockException sameProcess) {
            // this JVM trains there already: the message below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        ch.close();
        throw new IllegalStateException("another process is training in " + dir + " (it holds " + f + ")");
    }

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

    /** Releases the lock and removes the file (no one waits on it, so removing it races with nothing). */
    @Override public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
