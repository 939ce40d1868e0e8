package org.jresnet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.export.OnnxExporter;
import org.jresnet.export.OnnxOptions;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export a model for deployment: ONNX (opset " + OnnxExporter.OPSET + "), BatchNorm folded into the"
                + " convolutions, NCHW float32 input 'input', output 'logits'; classes, mean, std and input size in"
                + " the file's metadata_props."})
final class ExportCommand implements Callable<Integer> {
    static final String ONNX = "onnx";

    @Mixin WeightsOption weights;
    @Option(names = "--format", description = "Output format (default ${DEFAULT-VALUE}; the only one).") String format = ONNX;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write (e.g. model.onnx).")
    String outName;
    @Option(names = "--batch", paramLabel = "N|dynamic",
            description = "Batch size fixed in the graph, or 'dynamic' (default): any batch at run time.")
    String batch = "dynamic";
    @Option(names = "--force", description = "Overwrite FILE (as convert: an existing file is kept without it).") boolean force;

    @Override public Integer call() throws Exception {
        if (!format.toLowerCase(Locale.ROOT).equals(ONNX)) {
            throw new Errors.UsageException("unknown --format '" + format + "'; valid: " + ONNX);
        }
        OnnxOptions options = OnnxOptions.parseBatch(batch);
        Path out = OutputFile.check(outName, "--out", force);
        ModelFiles.Loaded loaded = weights.load();
        ModelMetadata meta = loaded.metadata();
        OnnxExporter.write(out, loaded.model(), meta, options);
        int[] in = meta.inputSize();
        System.out.printf(Locale.ROOT, "wrote %s: %s, ONNX opset %d, input [%s, 3, %d, %d], %d classes, %.1f MB%n", out,
                meta.model(), OnnxExporter.OPSET, options.batch().isPresent() ? options.batch().getAsInt() : OnnxOptions.DYNAMIC_BATCH,
                in[1], in[2], meta.numClasses(), Files.size(out) / 1e6);
        return 0;
    }
}
