package org.jresnet.experiments;

import java.nio.file.Path;
import java.util.List;
import org.jresnet.io.ModelMetadata;
import org.jresnet.models.ResNet;
import org.jresnet.train.EpochMetrics;

/** A finished run of the shared store: its folder, final weights and per-epoch history. */
public record TrainedModel(String key, Path dir, ResNet net, ModelMetadata metadata, List<EpochMetrics> rows) {
    public EpochMetrics last() { return rows.get(rows.size() - 1); }

    /** Training wall time, seconds (the last epoch's elapsed time, summed over resumed sessions). */
    public double trainSeconds() { return last().elapsedS(); }

    public String name() { return ExperimentNames.display(net.config); }
}
