package org.jresnet.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The file a command writes (convert's OUT, export's --out), checked before any work: not a folder,
 * whether one exists there or the name says so ("models/", "x/."), and an existing file is kept
 * unless --force. Taken as the string the user typed: a Path has already dropped the trailing
 * separator that marks a folder, and "newdir/" was written as a file named newdir.
 */
final class OutputFile {
    private OutputFile() {}

    /** {@code raw} as a path to write, or a usage error naming it as {@code label} does ("--out", "OUT"). */
    static Path check(String raw, String label, boolean force) {
        if (raw.isBlank()) throw new Errors.UsageException(label + " is empty; give a file name");
        Path p;
        try {
            p = Path.of(raw);
        } catch (InvalidPathException e) {
            throw new Errors.UsageException(label + " " + raw + " is not a valid path: " + e.getReason());
        }
        Path name = p.getFileName();
        boolean folderName = raw.endsWith("/") || raw.endsWith(File.separator) || name == null
                || name.toString().equals(".") || name.toString().equals("..");
        if (folderName || Files.isDirectory(p)) throw new Errors.UsageException(label + " " + raw + " is a folder; give a file name");
        if (Files.exists(p) && !force) throw new Errors.UsageException(raw + " exists; pass --force to overwrite it");
        return p;
    }
}
