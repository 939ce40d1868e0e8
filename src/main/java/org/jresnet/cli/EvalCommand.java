package org.jresnet.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jresnet.data.BatchLoader;
import org.jresnet.data.Dataset;
import org.jresnet.data.Datasets;
import org.jresnet.data.LoadOptions;
import org.jresnet.data.Split;
import org.jresnet.io.ModelFiles;
import org.jresnet.io.ModelMetadata;
import org.jresnet.train.ConfusionPlot;
import org.jresnet.train.Evaluation;
import org.jresnet.train.Preprocessing;
import org.jresnet.train.TestViews;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Score a model on a dataset: top-1, top-5, loss, per-class accuracy, confusion matrix.")
final class EvalCommand implements Callable<Integer> {
    @Mixin WeightsOption weights;
    @Mixin DecodeLimitsOptions limits;
    @Option(names = "--data", description = "Dataset (default: the bundled CIFAR-10 sample).") Path data;
    @Option(names = "--split", description = "train or test (default ${DEFAULT-VALUE}).") String split = "test";
    @Option(names = "--batch", description = "Images per forward pass (default ${DEFAULT-VALUE}).") int batch = 256;
    @Option(names = "--json", description = "Print one JSON object.") boolean json;
    @Option(names = "--plot", description = "Write the confusion matrix as a PNG.") Path plot;
    @Option(names = "--cache-dir", description = "Decoded-image cache (default ~/.cache/jresnet).") Path cacheDir;
    @Option(names = "--skip-bad", description = "Skip and count corrupt images.") boolean skipBad;
    @Option(names = "--tta-flip", description = "Score the mean logits of each image and its mirror image"
            + " (as train --tta-flip does).") boolean ttaFlip;
    @Option(names = "--tta-translate", description = "Also score each image (and, with --tta-flip, its mirror) shifted"
            + " one pixel down-right and one up-left (as train --tta-translate does).") boolean ttaTranslate;
    @Mixin EngineOptions engine;

    @Override public Integer call() throws Exception {
        if (batch < 1) throw new Errors.UsageException("--batch must be >= 1");
        Split sp = Split.parse(split);
        ModelFiles.Loaded loaded = weights.load();
        ModelMetadata meta = loaded.metadata();
        LoadOptions opt = LoadOptions.defaults().withSkipBad(skipBad).withQuiet(json).withLimits(limits.limits());
        if (cacheDir != null) opt = opt.withCacheDir(cacheDir);
        Path dataPath = data != null ? data : Home.bundled(Home.SAMPLE_DATA);
        try (Dataset ds = Datasets.open(dataPath, sp, opt)) {
            checkClasses(meta, ds);
            var transform = Preprocessing.evaluation(ds, meta.normalization(), meta.inputSize()[1]);
            Evaluation e = Evaluation.run(loaded.model(), ds, BatchLoader.all(ds), transform, batch,
                    new TestViews(ttaFlip, ttaTranslate));
            if (plot != null) ConfusionPlot.writePng(plot, e);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", meta.model());
                m.put("data", ds.description());
                m.put("top1", e.top1());
                m.put("top5", e.top5());
                m.put("loss", e.loss());
                m.put("n", e.n());
                if (ttaFlip) m.put("tta_flip", true);
                if (ttaTranslate) m.put("tta_translate", true);
                m.put("classes", e.classes());
                // null for a class without test images: the same type as the others, where NaN was a string
                Map<String, Double> per = new LinkedHashMap<>();
                for (int c = 0; c < e.classes().size(); c++) {
                    double a = e.perClass()[c];
                    per.put(e.classes().get(c), Double.isNaN(a) ? null : a);
                }
                m.put("per_class", per);
                m.put("confusion", e.confusion());
                m.put("predictions", e.predictions());
                // which image each prediction is for: with --skip-bad some files have none
                List<String> files = new ArrayList<>(ds.size());
                for (int i = 0; i < ds.size(); i++) files.add(ds.name(i));
                m.put("files", files);
                m.put("skipped", ds.skipped());
                Json.print(m);
            } else {
                print(meta, ds, e);
            }
        }
        return 0;
    }

    /** A model trained on other classes must not be scored against these labels. */
    static void checkClasses(ModelMetadata meta, Dataset ds) {
        if (meta.numClasses() != ds.numClasses()) {
            throw new IllegalArgumentException("the model has " + meta.numClasses() + " classes, " + ds.description()
                    + " has " + ds.numClasses() + " (" + ds.classes() + ")");
        }
        if (!ModelMetadata.defaultNames(meta.classes()) && !meta.classes().equals(ds.classes())) {
            throw new IllegalArgumentException("class folders " + ds.classes() + " do not match the model's classes "
                    + meta.classes());
        }
    }

    private static void print(ModelMetadata meta, Dataset ds, Evaluation e) {
        System.out.printf(Locale.ROOT, "%s on %s: %d images%n", meta.model(), ds.description(), e.n());
        System.out.printf(Locale.ROOT, "top-1 %s   top-5 %s   loss %.4f%n", WeightsOption.percent(e.top1()),
                WeightsOption.percent(e.top5()), e.loss());
        int k = e.classes().size();
        if (k > 20) return;  // a 1000-class matrix is for --json / --plot, not a terminal
        int w = 6;
        for (String c : e.classes()) w = Math.max(w, c.length() + 1);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-" + w + "s %8s   confusion (rows: true class, columns: predicted)%n", "class", "acc");
        for (int r = 0; r < k; r++) {
            double a = e.perClass()[r];
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-" + w + "s %8s  ", e.classes().get(r),
                    Double.isNaN(a) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * a)));
            for (int c = 0; c < k; c++) row.append(String.format(Locale.ROOT, " %5d", e.confusion()[r][c]));
            System.out.println(row);
        }
        if (ds.skipped() > 0) System.out.println("skipped " + ds.skipped() + " corrupt images");
    }
}
