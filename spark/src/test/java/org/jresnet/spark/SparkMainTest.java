package org.jresnet.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's error line: one line, ours when a failed stage carries it as text. */
class SparkMainTest {
    @TempDir Path tmp;

    /** Spark itself would find an existing output only once the whole job had run. */
    @Test void anExistingOutputIsRefusedBeforeTheJob() throws Exception {
        Path weights = Files.writeString(tmp.resolve("w.safetensors"), "x");
        Path out = Files.createDirectories(tmp.resolve("p.parquet"));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream before = System.err;
        int code;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            code = SparkMain.execute("predict", "--weights", weights.toString(), "--data", tmp.toString(), "--out", out.toString());
        } finally {
            System.setErr(before);
        }
        assertThat(code).isNotZero();
        assertThat(err.toString().strip()).startsWith("jresnet spark: --out " + out + " exists; pass --overwrite to replace it")
                .doesNotContain("\n");
    }

    @Test void aFailedStageSaysTheExecutorsErrorInOneLine() {
        String stage = "Job aborted due to stage failure: Task 0 in stage 1.0 failed 1 times, most recent failure: Lost task 0.0"
                + " (TID 1) (127.0.0.1 executor 0): org.jresnet.data.DataException: cannot read image file:/d/bad.jpg"
                + " (not an image)\n\tat org.jresnet.spark.ml.ImageFiles.read(ImageFiles.java:10)\n\nDriver stacktrace:\n"
                + "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:1)";
        assertThat(SparkMain.oneLine(new RuntimeException(stage))).isEqualTo("cannot read image file:/d/bad.jpg (not an image)");
    }

    @Test void otherwiseTheFirstLineOfTheMessage() {
        assertThat(SparkMain.oneLine(new IllegalStateException("Could not parse Master URL: 'foo'\n\tat x"))).isEqualTo(
                "Could not parse Master URL: 'foo'");
        assertThat(SparkMain.oneLine(new IllegalStateException(new org.jresnet.data.DataException("no images in d"))))
                .isEqualTo("no images in d");
        assertThat(SparkMain.oneLine(new NullPointerException())).isEqualTo("NullPointerException");
    }
}
