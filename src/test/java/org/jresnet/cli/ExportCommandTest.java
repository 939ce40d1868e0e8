package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jresnet export}: what it writes for a fixed batch, and one clear line for every bad input. */
class ExportCommandTest {
    @TempDir Path tmp;

    @Test void fixedBatchIsInTheGraphAndTheFolderHoldsOnlyTheFile() throws Exception {
        Path out = tmp.resolve("sub/r20.onnx");
        CliRun r = CliRun.of("export", "--batch", "2", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("resnet20", "opset 17", "input [2, 3, 32, 32]", "10 classes");
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("r20.onnx");   // no temp file left
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(out.toString(), new OrtSession.SessionOptions())) {
            assertThat(((TensorInfo) s.getInputInfo().get("input").getInfo()).getShape()).containsExactly(2, 3, 32, 32);
            assertThat(((TensorInfo) s.getOutputInfo().get("logits").getInfo()).getShape()).containsExactly(2, 10);
        }
    }

    private void rejected(int code, String message, String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.err()).isEqualTo(code);
        assertThat(r.err().strip()).startsWith("jresnet: ").contains(message).doesNotContain("\n").doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @Test void badInputIsOneLineAndANonZeroExit() throws Exception {
        String out = tmp.resolve("m.onnx").toString();
        rejected(2, "unknown --format 'tflite'; valid: onnx", "export", "--format", "tflite", "--out", out);
        rejected(2, "batch must be >= 1 or dynamic, got 0", "export", "--batch", "0", "--out", out);
        rejected(2, "--batch takes a positive number or 'dynamic', got 'many'", "export", "--batch", "many", "--out", out);
        rejected(2, "Missing required option: '--out=FILE'", "export");
        rejected(2, "is a folder", "export", "--out", tmp.toString());
        // a name that says folder is one, even before it exists (it used to be written as a file "newdir")
        rejected(2, "--out " + tmp.resolve("newdir") + "/ is a folder; give a file name", "export", "--out", tmp.resolve("newdir") + "/");
        rejected(2, "is a folder", "export", "--out", tmp.resolve("newdir") + "/.");
        assertThat(tmp.resolve("newdir")).doesNotExist();
        // convert's OUT the same way, with or without --force
        String shipped = org.jresnet.cli.Home.bundled(org.jresnet.cli.Home.SHIPPED_MODEL).toString();
        rejected(2, "OUT " + tmp + " is a folder; give a file name", "convert", shipped, tmp.toString());
        rejected(2, "OUT " + tmp + " is a folder; give a file name", "convert", "--force", shipped, tmp.toString());
        rejected(2, "is a folder", "convert", shipped, tmp.resolve("newdir2") + "/");
        assertThat(tmp.resolve("newdir2")).doesNotExist();
        Path existing = java.nio.file.Files.writeString(tmp.resolve("kept.onnx"), "mine");
        rejected(2, existing + " exists; pass --force to overwrite it", "export", "--out", existing.toString());
        assertThat(java.nio.file.Files.readString(existing)).isEqualTo("mine");
        assertThat(CliRun.of("export", "--force", "--out", existing.toString()).code()).isZero();
        rejected(1, "no such file: " + tmp.resolve("none.safetensors"), "export", "--weights",
                tmp.resolve("none.safetensors").toString(), "--out", out);
        assertThat(tmp.resolve("m.onnx")).doesNotExist();
    }
}
