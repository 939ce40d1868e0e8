package org.jresnet.experiments;

/** A training run of an experiment was stopped (Ctrl-C, SIGTERM) after checkpointing; rerun to continue. */
public final class ExperimentStoppedException extends RuntimeException {
    public ExperimentStoppedException(String message) { super(message); }
}
