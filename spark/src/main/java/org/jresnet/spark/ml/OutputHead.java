package org.jresnet.spark.ml;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.jresnet.api.Network;

/** What a stage computes from a batch of preprocessed images: its output columns and their values. */
interface OutputHead extends Serializable {
    /** The columns added to the input's. */
    List<StructField> fields();

    /** Values of {@link #fields()} for each of the {@code n} NHWC images of side {@code size} in {@code x}. */
    Object[][] compute(Network net, float[] x, int n, int size);
}
