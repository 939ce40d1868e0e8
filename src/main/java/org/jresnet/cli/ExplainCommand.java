package org.jresnet.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jresnet.data.DecodeLimits;
import org.jresnet.data.ImageDecoder;
import org.jresnet.data.ResizeCenterCrop;
import org.jresnet.data.RgbImage;
import org.jresnet.data.Transforms;
import org.jresnet.explain.ClassActivationMap;
import org.jresnet.explain.Overlay;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.Preprocessing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Class activation maps: for each image, a PNG of the heat map of a class (Grad-CAM on the last
 * stage, which for these networks is CAM: org.jresnet.explain) over the model's view of the image
 * (its preprocessed crop, before normalisation), and one line saying what was explained.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Which pixels made the prediction: for each image a PNG of the class activation map (Grad-CAM on"
                + " the last stage) over the model's view of the image (its preprocessed crop), in the jet colormap."})
final class ExplainCommand implements Callable<Integer> {
    /** Appended to an image's name (without its extension) to name its PNG: cat.jpg -> cat-cam.png. */
    static final String SUFFIX = "-cam.png";

    @Mixin WeightsOption weights;
    @Mixin DecodeLimitsOptions limits;
    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR",
            description = "JPEG/PNG/BMP/GIF files, or folders of them (hidden files skipped).")
    List<Path> inputs;
    @Option(names = "--class", paramLabel = "NAME|INDEX", description = "Class to explain: a class name of the model,"
            + " else an index (0-based); default: each image's top-1 prediction.") String classSpec;
    @Option(names = "--out", paramLabel = "DIR", description = "Folder for the PNGs, IMAGE-cam.png each (default: the"
            + " current folder; created if missing).") String outDir = ".";
    @Option(names = "--scale", description = "Enlarge each PNG this many times, pixels as squares (default"
            + " ${DEFAULT-VALUE}: the model's input size, e.g. 32x32 for CIFAR).") int scale = 1;
    @Option(names = "--force", description = "Overwrite existing PNGs (kept without it).") boolean force;
    @Option(names = "--json", description = "Print a JSON array, in input order.") boolean json;
    @Mixin EngineOptions engine;

    @Override public Integer call() throws Exception {
        if (scale < 1 || scale > 64) throw new Errors.UsageException("--scale must be 1..64, got " + scale);
        List<Path> files = PredictCommand.expand(inputs);
        List<Path> outs = outputs(files, outDir(outDir), force);
        DecodeLimits lim = limits.limits();
        ModelFiles.Loaded loaded = weights.load();
        ModelMetadata meta = loaded.metadata();
        int cls = classSpec == null ? ClassActivationMap.TOP1 : classIndex(classSpec, meta.classes());
        int size = meta.inputSize()[1];
        ResizeCenterCrop prep = Preprocessing.resizeCrop(meta.normalization(), size);
        // Every image is read before anything is written: a bad one fails the command with no PNG half made.
        List<RgbImage> views = new ArrayList<>(files.size());
        for (Path f : files) views.add(prep.preprocess(ImageDecoder.decode(PredictCommand.read(f, lim), f.toString(), lim)));
        // the view is already size x size: this transform only normalises it (no resize, no crop)
        ResizeCenterCrop normaliseOnly = new ResizeCenterCrop(meta.normalization(), size, size);
        List<Map<String, Object>> results = new ArrayList<>();
        Tensor x = Tensor.zeros(1, size, size, 3);
        for (int i = 0; i < files.size(); i++) {
            RgbImage view = views.get(i);
            Transforms.applyToImage(normaliseOnly, view, x.data(), 0);
            ClassActivationMap cam = ClassActivationMap.compute(loaded.model(), x, cls).get(0);
            Overlay.writePng(outs.get(i), Overlay.render(view, cam.map(), scale));
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("file", files.get(i).toString());
            r.put("class", meta.classes().get(cam.classIndex()));
            r.put("index", cam.classIndex());
            r.put("prob", cam.probability());
            r.put("out", outs.get(i).toString());
            results.add(r);
            if (!json) {
                System.out.printf(Locale.ROOT, "%s: %s %.1f%% -> %s%n", r.get("file"), r.get("class"),
                        100 * cam.probability(), r.get("out"));
            }
        }
        if (json) Json.print(results);
        return 0;
    }

    /** --out as a folder: anything but an existing file. */
    static Path outDir(String raw) {
        if (raw.isBlank()) throw new Errors.UsageException("--out is empty; give a folder");
        Path p;
        try {
            p = Path.of(raw);
        } catch (InvalidPathException e) {
            throw new Errors.UsageException("--out " + raw + " is not a valid path: " + e.getReason());
        }
        if (Files.exists(p) && !Files.isDirectory(p)) throw new Errors.UsageException("--out " + raw + " is a file; give a folder");
        return p;
    }

    /** Each image's PNG in {@code dir}; two images may not share one, and an existing one is kept unless {@code force}. */
    static List<Path> outputs(List<Path> files, Path dir, boolean force) {
        List<Path> outs = new ArrayList<>();
        Map<Path, Path> seen = new HashMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            int dot = name.lastIndexOf('.');
            Path out = dir.resolve((dot > 0 ? name.substring(0, dot) : name) + SUFFIX);
            Path before = seen.put(out.toAbsolutePath().normalize(), f);
            if (before != null) {
                throw new Errors.UsageException(before + " and " + f + " would both be explained in " + out
                        + "; run them with different --out folders");
            }
            if (Files.exists(out) && !force) throw new Errors.UsageException(out + " exists; pass --force to overwrite it");
            outs.add(out);
        }
        return outs;
    }

    /**
     * {@code --class} against the model's class names: an exact name, else one name equal ignoring
     * case, else an index 0..K-1. A name comes first, so a class named "3" is that class even where
     * it is not index 3.
     */
    static int classIndex(String spec, List<String> classes) {
        int exact = classes.indexOf(spec);
        if (exact >= 0) return exact;
        List<Integer> folded = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) if (classes.get(i).equalsIgnoreCase(spec)) folded.add(i);
        if (folded.size() == 1) return folded.get(0);
        if (folded.size() > 1) {
            throw new Errors.UsageException("--class " + spec + " matches " + folded.size() + " classes but for case; give"
                    + " the exact name or an index");
        }
        if (spec.matches("[0-9]+")) {
            int k = classes.size();
            try {
                int i = Integer.parseInt(spec);
                if (i < k) return i;
            } catch (NumberFormatException tooLong) {
                // out of int's range: out of the model's too
            }
            throw new Errors.UsageException("--class " + spec + ": index out of range; the model has " + k
                    + " classes, 0.." + (k - 1));
        }
        int shown = Math.min(classes.size(), 10);
        throw new Errors.UsageException("--class " + spec + ": no such class; the model's classes are "
                + String.join(", ", classes.subList(0, shown))
                + (shown < classes.size() ? ", ... (" + classes.size() + " in all)" : "") + ", or an index 0.." + (classes.size() - 1));
    }
}
