package org.jresnet.experiments;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jresnet.plot.Charts;
import org.jresnet.data.Batch;
import org.jresnet.data.BatchLoader;
import org.jresnet.data.Dataset;
import org.jresnet.data.Prefetcher;
import org.jresnet.data.Transform;
import org.jresnet.models.ResNet;
import org.jresnet.nn.BasicBlock;
import org.jresnet.nn.ReLU;
import org.jresnet.nn.ResidualBlock;
import org.jresnet.tensor.Tensor;
import org.jresnet.train.Preprocessing;

/**
 * Layer responses (paper Fig. 7): the standard deviation of each 3x3 layer's output after its BN
 * and before the relu / addition, on test images in eval mode, for plain and residual nets. The
 * paper's reading: residual functions are closer to zero than the plain layers' (smaller
 * responses), and deeper ResNets have smaller ones still.
 */
public final class LayerResponses {
    public static final String NAME = "responses";
    public static final List<String> COLUMNS = List.of("model", "layer_index", "layer", "std", "rank");
    private static final int EVAL_BATCH = 100;

    /** Std of each 3x3 layer of one net, in layer order (stem conv first), with the layers' names. */
    public record Responses(String model, boolean residual, List<String> layers, double[] std) {
        public double[] sortedDescending() {
            double[] s = std.clone();
            Arrays.sort(s);
            for (int i = 0; i < s.length / 2; i++) {
                double t = s[i];
                s[i] = s[s.length - 1 - i];
                s[s.length - 1 - i] = t;
            }
            return s;
        }

        public double mean() { return Arrays.stream(std).average().orElse(Double.NaN); }
    }

    private LayerResponses() {}

    /**
     * Runs {@code net} (a CIFAR net of basic blocks) on the images, accumulating each 3x3 layer's
     * sum and sum of squares. Eval mode makes every layer a fixed function, so re-running a block's
     * conv1 + bn1 to read their output gives exactly what the block computes inside.
     */
    public static Responses measure(String model, ResNet net, Dataset ds, int[] indices, Transform t) {
        if (!net.config.cifar()) throw new IllegalArgumentException("responses are measured on CIFAR nets (basic blocks)");
        boolean was = net.isTraining();
        net.setTraining(false);
        List<ResidualBlock> blocks = net.blocks();
        for (ResidualBlock b : blocks) b.setRecording(true);
        var names = Probe.names(net);
        List<String> layers = new ArrayList<>(List.of(names.get(net.conv1)));
        for (ResidualBlock b : blocks) {
            BasicBlock bb = (BasicBlock) b;
            layers.add(names.get(bb.conv1));
            layers.add(names.get(bb.conv2));
        }
        int n = layers.size();
        double[] sum = new double[n], sq = new double[n];
        long[] count = new long[n];
        ReLU relu = new ReLU();
        try (BatchLoader l = BatchLoader.evaluation(ds, indices, t, EVAL_BATCH); Prefetcher it = l.prefetch(0, 0, 2)) {
            while (it.hasNext()) {
                Batch batch = it.next();
                Tensor r = net.bn1.forward(net.conv1.forward(batch.images()));
                accumulate(r, 0, sum, sq, count);
                Tensor h = relu.forward(r);
                int j = 1;
                for (ResidualBlock b : blocks) {
                    BasicBlock bb = (BasicBlock) b;
                    accumulate(bb.bn1.forward(bb.conv1.forward(h)), j++, sum, sq, count);
                    h = b.forward(h);
                    accumulate(b.lastBranchOutput(), j++, sum, sq, count);
                }
            }
        } finally {
            for (ResidualBlock b : blocks) b.setRecording(false);
            net.setTraining(was);
        }
        double[] std = new double[n];
        for (int i = 0; i < n; i++) {
            double m = sum[i] / count[i];
            std[i] = Math.sqrt(Math.max(0, sq[i] / count[i] - m * m));
        }
        return new Responses(model, net.config.shortcut() != org.jresnet.nn.Shortcut.NONE, layers, std);
    }

    private static void accumulate(Tensor t, int layer, double[] sum, double[] sq, long[] count) {
        float[] d = t.data();
        double s = 0, s2 = 0;
        for (int i = t.offset(), e = t.offset() + t.size(); i < e; i++) {
            s += d[i];
            s2 += (double) d[i] * d[i];
        }
        sum[layer] += s;
        sq[layer] += s2;
        count[layer] += t.size();
    }

    public static List<Responses> run(RunStore store, ExperimentOutput out, int[] depths, int images) throws IOException {
        int[] d = Degradation.distinctDepths(depths);
        if (images < 0) throw new IllegalArgumentException("--images must be >= 0 (0: all test images), got " + images);
        Dataset test = store.data().test();
        int[] idx = Probe.evenlySpaced(test.size(), images);
        List<Responses> all = new ArrayList<>();
        for (String kind : List.of("plain", "resnet")) {
            for (int depth : d) {
                TrainedModel m = store.obtain(kind + depth, null);
                all.add(measure(m.name(), m.net(), test, idx,
                        Preprocessing.evaluation(test, m.metadata().normalization(), m.metadata().inputSize()[1])));
            }
        }
        write(store, out, all, idx.length);
        return all;
    }

    private static void write(RunStore store, ExperimentOutput out, List<Responses> all, int images) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        List<Charts.Line> byLayer = new ArrayList<>(), sorted = new ArrayList<>();
        int plainCount = 0, resCount = 0;
        for (Responses r : all) {
            double[] s = r.sortedDescending();
            for (int i = 0; i < r.std().length; i++) {
                int rank = 1;
                for (double v : s) {
                    if (v > r.std()[i]) rank++;
                }
                rows.add(List.of(r.model(), i + 1, r.layers().get(i), r.std()[i], rank));
            }
            // Plain nets dashed in warm colours, ResNets solid in cool ones; darker = deeper.
            java.awt.Color c = r.residual() ? shade(Charts.RESIDUAL, resCount++) : shade(Charts.PLAIN, plainCount++);
            double[] x = Charts.indices(r.std().length);
            byLayer.add(new Charts.Line(r.model(), x, r.std(), c, 2f, !r.residual(), false));
            sorted.add(new Charts.Line(r.model(), x, s, c, 2f, !r.residual(), false));
        }
        out.csv(ExperimentOutput.RESULTS, COLUMNS, rows);
        out.png("responses-layers.png", Charts.lines("Std of 3x3 layer responses (after BN, before addition/relu)",
                "layer index (original order, 1 = stem conv)", "std", false, byLayer, List.of()));
        out.png("responses-sorted.png", Charts.lines("Std of 3x3 layer responses, sorted by magnitude",
                "layer index (sorted by std, descending)", "std", false, sorted, List.of()));

        StringBuilder md = new StringBuilder("# Layer responses (paper Fig. 7)\n\n");
        md.append(String.format(Locale.ROOT, "Standard deviation of every 3x3 layer's output after its BN, before the"
                        + " relu and (in ResNets) before the addition, over %d test images in eval mode; %d-epoch runs"
                        + " on `%s`.%n%n", images, store.recipe().epochs(), store.recipe().data().getFileName()));
        MarkdownTable t = new MarkdownTable("model", "3x3 layers", "mean std", "largest", "smallest");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", NAME);
        json.put("recipe", store.recipe().describe());
        json.put("images", images);
        Map<String, Object> nets = new LinkedHashMap<>();
        for (Responses r : all) {
            double[] s = r.sortedDescending();
            t.row(r.model(), r.std().length, String.format(Locale.ROOT, "%.4f", r.mean()),
                    String.format(Locale.ROOT, "%.4f", s[0]), String.format(Locale.ROOT, "%.4f", s[s.length - 1]));
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("mean_std", r.mean());
            o.put("std", r.std());
            nets.put(r.model(), o);
        }
        json.put("models", nets);
        md.append(t).append('\n');
        List<String> lines = new ArrayList<>();
        boolean allSmaller = true;
        for (Responses r : all) {
            if (!r.residual()) continue;
            String depth = r.model().replaceAll("\\D", "");
            for (Responses p : all) {
                if (!p.residual() && p.model().replaceAll("\\D", "").equals(depth)) {
                    boolean smaller = r.mean() < p.mean();
                    allSmaller &= smaller;
                    lines.add(String.format(Locale.ROOT, "- %s mean std %.4f vs %s %.4f: residual responses smaller: **%s**",
                            r.model(), r.mean(), p.model(), p.mean(), Degradation.yes(smaller)));
                }
            }
        }
        json.put("resnet_smaller_responses", allSmaller);
        md.append(String.join("\n", lines)).append("\n\n![by layer](responses-layers.png)\n\n![sorted](responses-sorted.png)\n");
        out.summary(md.toString(), json);
    }

    private static java.awt.Color shade(java.awt.Color c, int i) {
        float f = Math.max(0.35f, 1f - 0.25f * i);
        return new java.awt.Color((int) (c.getRed() * f), (int) (c.getGreen() * f), (int) (c.getBlue() * f));
    }
}
