package org.jresnet.web;

/** Where a run folder is, as the {@code /runs} page shows it. */
enum RunStatus {
    /** A process holds the folder's {@code .lock} (see {@link org.jresnet.train.RunLock}). */
    RUNNING,
    /** Its final model is written, or its checkpoint is past the last epoch. */
    FINISHED,
    /** Neither: ended by a signal, a crash or a divergence; {@code train --resume} continues it. */
    STOPPED;

    String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
