package org.jresnet.experiments;

import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jresnet.plot.Charts;
import org.jresnet.data.Batch;
import org.jresnet.data.Dataset;
import org.jresnet.models.ResNet;
import org.jresnet.engine.Engine;
import org.jresnet.train.Preprocessing;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.TrainingRun;

/**
 * Gradient flow (H'(x) = F'(x) + 1): per-block and per-convolution gradient norms of plain and
 * residual nets of one depth, at initialisation and after training, on one fixed batch of
 * training images; plus the scalar sigmoid chain of {@link SigmoidChain}.
 */
public final class GradientFlow {
    public static final String NAME = "gradients";
    public static final String TOY_CSV = "toy.csv";
    public static final List<String> COLUMNS = List.of("model", "state", "quantity", "index", "layer",
            "downsampling", "norm");
    public static final List<String> TOY_COLUMNS = List.of("layer", "layers_above", "plain_numeric", "plain_closed_form",
            "plain_bound", "residual_numeric", "residual_closed_form");

    /** The four measurements: model display name and state ("init" / "trained"). */
    public record Entry(String model, boolean residual, String state, GradientProbe.Measurement m) {}

    public record Result(List<Entry> entries, SigmoidChain.Result toy) {}

    private GradientFlow() {}

    public static Result run(RunStore store, ExperimentOutput out, ProgressReporter progress, int depth, int images,
                             int toyDepth, double toyWeight) throws IOException {
        Degradation.checkCifarDepth(depth);
        if (images < 2) throw new IllegalArgumentException("--images must be >= 2 (batch normalisation), got " + images);
        SigmoidChain.Result toy = SigmoidChain.run(toyDepth, toyWeight, 0, 1);
        TrainingRun.Data data = store.data();
        Dataset ds = data.train();
        int[] idx = Probe.evenlySpaced(ds.size(), images);   // all of a smaller training set: say how many were used
        List<Entry> entries = new ArrayList<>();
        for (String model : List.of(ExperimentNames.plain(depth), ExperimentNames.resnet(depth))) {
            int trainImages = data.plan().train().length;
            ResNet init = TrainingRun.buildModel(store.recipe().config(model, null, store.dirOf(model, null),
                    trainImages, Engine.current().threads()), ds.numClasses());
            TrainedModel trained = store.obtain(model, null);
            int size = TrainingRun.inputSize(init, ds);
            Batch b = Probe.batch(ds, idx, Preprocessing.evaluation(ds, data.norm(), size));
            progress.message("measuring gradients of " + trained.name() + " at initialisation and after training");
            boolean residual = init.config.shortcut() != org.jresnet.nn.Shortcut.NONE;
            entries.add(new Entry(trained.name(), residual, "init", GradientProbe.measure(init, b.images(), b.labels())));
            entries.add(new Entry(trained.name(), residual, "trained",
                    GradientProbe.measure(trained.net(), b.images(), b.labels())));
        }
        write(store, out, depth, idx.length, entries, toy);
        return new Result(entries, toy);
    }

    private static void write(RunStore store, ExperimentOutput out, int depth, int images, List<Entry> entries,
                              SigmoidChain.Result toy) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        for (Entry e : entries) {
            for (var b : e.m().blocks()) {
                rows.add(List.of(e.model(), e.state(), "block_input_grad", b.index(), b.name(), b.downsampling(), b.inputGrad()));
                rows.add(List.of(e.model(), e.state(), "block_sum_grad", b.index(), b.name(), b.downsampling(), b.sumGrad()));
                rows.add(List.of(e.model(), e.state(), "block_branch_grad", b.index(), b.name(), b.downsampling(),
                        b.branchGrad()));
            }
            for (var c : e.m().convs()) {
                rows.add(List.of(e.model(), e.state(), "conv_weight_grad", c.index(), c.name(), "", c.weightGrad()));
            }
        }
        out.csv(ExperimentOutput.RESULTS, COLUMNS, rows);
        List<List<Object>> toyRows = new ArrayList<>();
        for (int l = 0; l < toy.depth(); l++) {
            toyRows.add(List.of(l, toy.depth() - l, toy.plainNumeric()[l], toy.plainClosed()[l], toy.plainBound()[l],
                    toy.residualNumeric()[l], toy.residualClosed()[l]));
        }
        out.csv(TOY_CSV, TOY_COLUMNS, toyRows);

        List<Charts.Line> blockLines = new ArrayList<>(), convLines = new ArrayList<>();
        for (Entry e : entries) {
            Color c = e.residual() ? Charts.RESIDUAL : Charts.PLAIN;
            boolean trained = e.state().equals("trained");
            float width = trained ? Charts.BOLD : Charts.THIN;
            int n = e.m().blocks().size();
            double[] y = new double[n];
            for (int i = 0; i < n; i++) y[i] = e.m().blocks().get(i).inputGrad();
            blockLines.add(new Charts.Line(e.model() + " " + e.state(), Charts.indices(n), y, c, width, !trained, true));
            int m = e.m().convs().size();
            double[] w = new double[m];
            for (int i = 0; i < m; i++) w[i] = e.m().convs().get(i).weightGrad();
            convLines.add(new Charts.Line(e.model() + " " + e.state(), Charts.indices(m), w, c, width, !trained, false));
        }
        List<Charts.Marker> marks = new ArrayList<>();
        for (var b : entries.get(0).m().blocks()) if (b.downsampling()) marks.add(new Charts.Marker(b.index(), "down-sampling"));
        out.png("gradients-blocks.png", Charts.lines(String.format(Locale.ROOT,
                        "‖dL/dx‖ at each block's input, depth %d (thin dashed: init, bold: trained)", depth),
                "block (1 = nearest the input)", "gradient L2 norm (log scale)", true, blockLines, marks));
        out.png("gradients-convs.png", Charts.lines(String.format(Locale.ROOT,
                        "‖dL/dW‖ of each convolution, depth %d (thin dashed: init, bold: trained)", depth),
                "convolution (module order, 1 = stem)", "gradient L2 norm (log scale)", true, convLines, List.of()));
        double[] layers = new double[toy.depth()];
        for (int l = 0; l < toy.depth(); l++) layers[l] = toy.depth() - l;
        out.png("toy-sigmoid.png", Charts.lines(String.format(Locale.ROOT,
                        "Sigmoid chain, w = %s: |dx_L/dx_l| (lines: complex-step, points: closed form)", Degradation.fmt(toy.weight())),
                "layers between x_l and the output (L - l)", "|gradient| (log scale)", true, List.of(
                        new Charts.Line("plain (numeric)", layers, abs(toy.plainNumeric()), Charts.PLAIN, Charts.BOLD, false, false),
                        new Charts.Line("plain (closed form)", layers, abs(toy.plainClosed()), Charts.PLAIN, 0f, false, true),
                        new Charts.Line("bound (w/4)^(L-l)", layers, toy.plainBound(), Color.GRAY, Charts.THIN, true, false),
                        new Charts.Line("residual (numeric)", layers, abs(toy.residualNumeric()), Charts.RESIDUAL, Charts.BOLD, false, false),
                        new Charts.Line("residual (closed form)", layers, abs(toy.residualClosed()), Charts.RESIDUAL, 0f, false, true)),
                List.of()));
        summary(store, out, depth, images, entries, toy);
    }

    private static double[] abs(double[] v) {
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) a[i] = Math.abs(v[i]);
        return a;
    }

    /** ‖dL/dx‖ at the first block over that at the last: below 1 the gradient shrinks on its way down. */
    static double firstOverLast(GradientProbe.Measurement m) {
        var b = m.blocks();
        return b.get(0).inputGrad() / b.get(b.size() - 1).inputGrad();
    }

    private static void summary(RunStore store, ExperimentOutput out, int depth, int images, List<Entry> entries,
                                SigmoidChain.Result toy) throws IOException {
        StringBuilder md = new StringBuilder("# Gradient flow: plain vs residual (H'(x) = F'(x) + 1)\n\n");
        md.append(String.format(Locale.ROOT, "Depth %d; one batch of %d training images (no augmentation), BN in"
                + " training mode; L2 norms of the gradients of the mean cross-entropy. \"Trained\" is the shared run"
                + " of the recipe (%s on `%s`).%n%n", depth, images, Degradation.epochs(store.recipe().epochs()),
                store.recipe().data().getFileName()));
        MarkdownTable t = new MarkdownTable("model", "state", "loss", "‖dL/dx‖ first block", "‖dL/dx‖ last block",
                "first / last", "‖dL/dW‖ stem conv");
        Map<String, Object> nets = new LinkedHashMap<>();
        for (Entry e : entries) {
            var b = e.m().blocks();
            t.row(e.model(), e.state(), String.format(Locale.ROOT, "%.4f", e.m().loss()), sci(b.get(0).inputGrad()),
                    sci(b.get(b.size() - 1).inputGrad()), sci(firstOverLast(e.m())), sci(e.m().convs().get(0).weightGrad()));
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("loss", e.m().loss());
            o.put("first_block_input_grad", b.get(0).inputGrad());
            o.put("last_block_input_grad", b.get(b.size() - 1).inputGrad());
            o.put("first_over_last", firstOverLast(e.m()));
            o.put("stem_conv_weight_grad", e.m().convs().get(0).weightGrad());
            nets.put(e.model() + " " + e.state(), o);
        }
        md.append(t).append('\n');
        md.append("![block input gradients](gradients-blocks.png)\n\n![conv weight gradients](gradients-convs.png)\n\n");
        int L = toy.depth();
        md.append(String.format(Locale.ROOT, "## Toy case: a chain of %d sigmoid layers, w = %s, b = 0, x_0 = 1%n%n"
                        + "- plain: |dx_L/dx_0| = %s (bound (w/4)^L = %s): each layer multiplies the gradient by"
                        + " σ'(z)·w ≤ w/4.%n- with identity shortcuts: |dx_L/dx_0| = %s: each layer multiplies it by"
                        + " 1 + σ'(z)·w.%n- complex-step numerical gradients vs closed-form products: largest relative"
                        + " difference %s.%n%n![sigmoid chain](toy-sigmoid.png)%n", L, Degradation.fmt(toy.weight()),
                sci(Math.abs(toy.plainNumeric()[0])), sci(toy.plainBound()[0]), sci(Math.abs(toy.residualNumeric()[0])),
                sci(toy.maxRelativeError())));

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("experiment", NAME);
        json.put("recipe", store.recipe().describe());
        json.put("depth", depth);
        json.put("images", images);
        json.put("models", nets);
        Map<String, Object> tj = new LinkedHashMap<>();
        tj.put("depth", L);
        tj.put("weight", toy.weight());
        tj.put("plain_grad_x0", toy.plainNumeric()[0]);
        tj.put("plain_bound_x0", toy.plainBound()[0]);
        tj.put("residual_grad_x0", toy.residualNumeric()[0]);
        tj.put("max_relative_error_numeric_vs_closed_form", toy.maxRelativeError());
        json.put("sigmoid_chain", tj);
        out.summary(md.toString(), json);
    }

    static String sci(double v) { return String.format(Locale.ROOT, "%.3e", v); }
}
