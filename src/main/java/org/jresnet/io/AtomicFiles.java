package org.jresnet.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a
 * half-written file (a crash mid-checkpoint must not destroy the previous checkpoint): the bytes go
 * to a temporary file in the same folder (same file system, so the rename is atomic), are forced
 * to disk, the temporary file is renamed over the target and the folder is forced too, so that
 * the rename itself survives a power cut.
 *
 * <p>A write that fails says which file it was writing (never the temporary name) and that the
 * previous version is kept. A process killed mid-write leaves its temporary file behind; the
 * first write into a folder by a later process removes such files. A writer holds an OS lock on
 * its temporary file from before its first byte, so a temporary file still being written by
 * another process is left alone.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    private static final String TEMP_SUFFIX = ".tmp";
    /** Marks our temporary files, so that a user's ".notes.2024.tmp" is never taken for one. */
    private static final String TEMP_MARK = ".jresnet-";
    /** Our temporary names: "." + target name + ".jresnet-" + createTempFile's random number + ".tmp". */
    private static final Pattern TEMP_NAME = Pattern.compile("\\..+\\.jresnet-[0-9]+\\.tmp");
    /** Temporary files this process is writing now: never taken for stale ones. */
    private static final Set<Path> IN_PROGRESS = ConcurrentHashMap.newKeySet();
    /** Folders already cleaned of stale temporary files by this process. */
    private static final Set<Path> CLEANED = ConcurrentHashMap.newKeySet();

    /** Produces the file's bytes; the stream is buffered and closed by {@link #write}. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void write(Path target, Writer content) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            Files.createDirectories(dir);
            if (CLEANED.add(dir)) removeStaleTemps(dir);
            writeVia(Files.createTempFile(dir, "." + abs.getFileName() + TEMP_MARK, TEMP_SUFFIX), abs, content);
        } catch (IOException e) {
            throw new IOException("cannot write " + target + ": " + reason(e, dir)
                    + (Files.isRegularFile(abs) ? " (the previous " + abs.getFileName() + " is kept)" : ""), e);
        }
    }

    private static void writeVia(Path tmp, Path abs, Writer content) throws IOException {
        IN_PROGRESS.add(tmp);
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 FileLock lock = ch.lock()) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            copyPermissions(abs, tmp);
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            forceFolder(abs.getParent());
        } finally {
            IN_PROGRESS.remove(tmp);
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    /** Makes the folder's entries (the rename) durable; some file systems cannot, and then the rename is still atomic. */
    private static void forceFolder(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not supported here (e.g. some network file systems): nothing more can be done
        }
    }

    /**
     * Deletes the temporary files of writes that died in {@code dir}: ours by name, not being
     * written by this process, and not locked by another. Returns how many were removed.
     */
    public static int removeStaleTemps(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        int removed = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> TEMP_NAME.matcher(p.getFileName().toString()).matches())) {
            for (Path p : s) {
                if (IN_PROGRESS.contains(p.toAbsolutePath()) || !Files.isRegularFile(p)) continue;
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE); FileLock lock = ch.tryLock()) {
                    if (lock == null) continue;  // another process is writing it
                    // Empty: possibly created by a writer that has not locked it yet (it locks before
                    // its first byte); a crash leaves nothing there worth the race.
                    if (ch.size() == 0) continue;
                    Files.delete(p);
                    removed++;
                } catch (OverlappingFileLockException | IOException inUseOrGone) {
                    // locked within this JVM, or removed meanwhile: not ours to delete
                }
            }
        }
        return removed;
    }

    /** The cause of a failed write without the temporary file's name, which means nothing to the user. */
    private static String reason(IOException e, Path dir) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return Files.isDirectory(dir) ? "cannot create files in " + dir : "no such folder";
        if (e instanceof FileAlreadyExistsException f) return f.getFile() + " is in the way: not a folder";
        if (e instanceof FileSystemException f) {
            return f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * createTempFile makes the file owner-only (0600); give the result the permissions of the file
     * it replaces, else the usual rw-r--r--.
     */
    private static void copyPermissions(Path target, Path tmp) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        Set<PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
