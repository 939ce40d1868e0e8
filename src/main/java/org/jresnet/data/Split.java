package org.jresnet.data;

import java.util.Locale;

/** Which part of a dataset: its {@code train/} or {@code test/} subtree (CIFAR: data_batch_* or test_batch). */
public enum Split {
    TRAIN("train"), TEST("test");

    private final String folder;

    Split(String folder) { this.folder = folder; }

    /** The folder name of this split in an ImageFolder tree. */
    public String folder() { return folder; }

    public static Split parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "train" -> TRAIN;
            case "test" -> TEST;
            default -> throw new IllegalArgumentException("split must be train or test, got '" + s + "'");
        };
    }
}
