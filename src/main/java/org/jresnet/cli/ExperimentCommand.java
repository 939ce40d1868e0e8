package org.jresnet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.experiments.Degradation;
import org.jresnet.experiments.ExperimentOutput;
import org.jresnet.experiments.ExperimentStoppedException;
import org.jresnet.experiments.GradientFlow;
import org.jresnet.experiments.LayerResponses;
import org.jresnet.experiments.Lesion;
import org.jresnet.experiments.Recipe;
import org.jresnet.experiments.RunStore;
import org.jresnet.experiments.ShortcutOptions;
import org.jresnet.nn.Shortcut;
import org.jresnet.train.ProgressReporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code jresnet experiment NAME}: the paper's findings as commands. Trained models live in
 * {@code OUT/runs/<model>-...} and are shared: a model any experiment needs is trained once, resumed
 * if interrupted, and reused by every later experiment with the same recipe.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Reproduce a finding of the paper: CSV, plots and a summary in OUT/NAME/.",
            "Models are trained once under OUT/runs/ and shared between experiments; an interrupted run resumes."},
        subcommands = {ExperimentCommand.DegradationCmd.class, ExperimentCommand.GradientsCmd.class,
            ExperimentCommand.LesionCmd.class, ExperimentCommand.ShortcutsCmd.class, ExperimentCommand.ResponsesCmd.class})
final class ExperimentCommand implements Runnable {
    /** The quick default: a few minutes per model on the bundled sample. */
    static final int QUICK_EPOCHS = 5;

    @Override public void run() {
        throw new Errors.UsageException("name an experiment: degradation, gradients, lesion, shortcuts or responses"
                + " (see 'jresnet experiment --help')");
    }

    /** Options every experiment shares beyond the training ones: the output folder, epochs and warm-up. */
    static final class Common {
        @Option(names = "--out", description = "Output folder: NAME/ for the results, runs/ for trained models (default ${DEFAULT-VALUE}).")
        Path out = Paths.get("experiments");
        @Option(names = "--epochs", description = "Epochs of every trained model (default ${DEFAULT-VALUE}: the quick setting).")
        int epochs = QUICK_EPOCHS;
        @Option(names = "--warmup", description = "Linear warm-up iterations (default: 200, at most a tenth of the run).")
        Integer warmup;

        ProgressReporter progress;
        RunStore store;

        RunStore open(TrainingOptions t) {
            Recipe recipe = new Recipe(t.dataOrSample(), epochs, t.batch, t.lr, t.momentum, t.weightDecay,
                    warmup == null ? -1 : warmup, t.seed, t.ckptEvery, t.cacheDir);
            progress = t.progress();
            store = new RunStore(out.resolve("runs").toAbsolutePath(), recipe, progress, t.quiet);
            return store;
        }

        ExperimentOutput output(String name) { return new ExperimentOutput(out.resolve(name)); }
    }

    /** Runs an experiment body; a stopped training run ends the command with 130 and how to continue. */
    abstract static class Base implements Callable<Integer> {
        @Mixin Common common;
        @Mixin TrainingOptions training;
        @Mixin EngineOptions engine;

        abstract String name();

        abstract void body(RunStore store, ExperimentOutput out) throws IOException;

        @Override public Integer call() throws IOException {
            RunStore store = common.open(training);
            ExperimentOutput out = common.output(name());
            try {
                body(store, out);
            } catch (ExperimentStoppedException e) {
                System.err.println("jresnet: " + e.getMessage());
                return 130;
            }
            System.out.println(name() + ": " + out.dir().resolve(ExperimentOutput.SUMMARY_MD) + "  (results.csv, plots,"
                    + " summary.json in " + out.dir() + ")");
            return 0;
        }
    }

    static int[] depths(List<Integer> d) { return d.stream().mapToInt(Integer::intValue).toArray(); }

    @Command(name = Degradation.NAME, mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Paper Fig. 1/6: plain and residual nets of each depth, one recipe; training and test error"
                + " against iterations. Full setting: --data cifar10 --epochs 30 (or more) --depths 20,32,44,56."})
    static final class DegradationCmd extends Base {
        @Option(names = "--depths", split = ",", description = "CIFAR depths 6n+2 (default ${DEFAULT-VALUE}).")
        List<Integer> depths = new ArrayList<>(List.of(20, 56));

        @Override String name() { return Degradation.NAME; }

        @Override void body(RunStore store, ExperimentOutput out) throws IOException {
            Degradation.Result r = Degradation.run(store, out, depths(depths));
            for (var m : r.models()) {
                System.out.printf(Locale.ROOT, "%-12s train error %6.2f%%  test error %6.2f%%%n", m.model(),
                        100 * m.trainErr(), 100 * m.testErr());
            }
            System.out.println("deeper plain net has the higher training error: " + r.deeperPlainHigherTrainErr()
                    + "; deeper ResNet has the lower test error: " + r.deeperResnetLowerErr());
        }
    }

    @Command(name = GradientFlow.NAME, mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Gradient norms per block input and per conv weight, plain vs residual, at initialisation"
                + " and after training; and the sigmoid chain with and without identity shortcuts."})
    static final class GradientsCmd extends Base {
        @Option(names = "--depth", description = "CIFAR depth (default ${DEFAULT-VALUE}).") int depth = 56;
        @Option(names = "--images", description = "Training images in the measured batch (default ${DEFAULT-VALUE}).")
        int images = 128;
        @Option(names = "--toy-depth", description = "Layers of the sigmoid chain (default ${DEFAULT-VALUE}).") int toyDepth = 20;
        @Option(names = "--toy-weight", description = "Weight w of every sigmoid layer (default ${DEFAULT-VALUE}).")
        double toyWeight = 1.0;

        @Override String name() { return GradientFlow.NAME; }

        @Override void body(RunStore store, ExperimentOutput out) throws IOException {
            GradientFlow.Result r = GradientFlow.run(store, out, common.progress, depth, images, toyDepth, toyWeight);
            for (var e : r.entries()) {
                System.out.printf(Locale.ROOT, "%-10s %-8s |dL/dx| first block / last block = %.3e%n", e.model(),
                        e.state(), e.m().blocks().get(0).inputGrad() / e.m().blocks().get(e.m().blocks().size() - 1).inputGrad());
            }
            System.out.printf(Locale.ROOT, "sigmoid chain of %d: |dx_L/dx_0| plain %.3e, with shortcuts %.3e%n",
                    toyDepth, Math.abs(r.toy().plainNumeric()[0]), Math.abs(r.toy().residualNumeric()[0]));
        }
    }

    @Command(name = Lesion.NAME, mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Veit et al. 2016: delete blocks of a trained ResNet (and its plain twin) at test time.",
                "Uses the degradation experiment's trained nets of --depth when they exist (same --out and recipe)."})
    static final class LesionCmd extends Base {
        @Option(names = "--depth", description = "CIFAR depth (default ${DEFAULT-VALUE}).") int depth = 56;
        @Option(names = "--max-k", description = "Largest number of random blocks deleted (default ${DEFAULT-VALUE}).")
        int maxK = 10;
        @Option(names = "--draws", description = "Random draws for each k (default ${DEFAULT-VALUE}).") int draws = 3;
        @Option(names = "--test-images", description = "Test images used, spread evenly (default: all).") int testImages;
        @Option(names = "--weights", paramLabel = "FILE",
                description = "Lesion this trained ResNet of --depth instead of the shared run (a model file jresnet wrote).")
        Path weights;
        @Option(names = "--plain-weights", paramLabel = "FILE",
                description = "Likewise for the plain net of --depth.")
        Path plainWeights;

        @Override String name() { return Lesion.NAME; }

        @Override void body(RunStore store, ExperimentOutput out) throws IOException {
            for (Path f : new Path[] {weights, plainWeights}) {
                if (f != null && !java.nio.file.Files.isRegularFile(f)) throw new Errors.UsageException("no such file: " + f);
            }
            Lesion.Result r = Lesion.run(store, out, common.progress, depth, maxK, draws, testImages, weights, plainWeights);
            System.out.printf(Locale.ROOT, "intact: %s %.2f%%, %s %.2f%% test error%n", r.resnet().model(),
                    100 * r.resnet().baseline(), r.plain().model(), 100 * r.plain().baseline());
            if (maxK > 0) {
                System.out.printf(Locale.ROOT, "%d random blocks deleted: %s %.2f%%, %s %.2f%%%n", maxK, r.resnet().model(),
                        100 * r.resnet().randomMean()[maxK - 1], r.plain().model(), 100 * r.plain().randomMean()[maxK - 1]);
            }
        }
    }

    @Command(name = ShortcutOptions.NAME, mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Paper Table 3 in CIFAR form: one ResNet with shortcut options A, B and C."})
    static final class ShortcutsCmd extends Base {
        @Option(names = "--depth", description = "CIFAR depth (default ${DEFAULT-VALUE}).") int depth = 20;
        @Option(names = "--options", split = ",", description = "Shortcut options (default ${DEFAULT-VALUE}).")
        List<String> options = new ArrayList<>(List.of("A", "B", "C"));

        @Override String name() { return ShortcutOptions.NAME; }

        @Override void body(RunStore store, ExperimentOutput out) throws IOException {
            List<Shortcut> opts = new ArrayList<>();
            for (String o : options) {
                try {
                    opts.add(Shortcut.parse(o));
                } catch (IllegalArgumentException e) {   // parse's own list names "none", which this experiment refuses
                    throw new Errors.UsageException("--options takes shortcut options among A, B, C, got '" + o + "'");
                }
            }
            for (var r : ShortcutOptions.run(store, out, depth, opts)) {
                System.out.printf(Locale.ROOT, "option %s: %,d parameters, %.0f s, test error %.2f%%%n", r.option(),
                        r.params(), r.trainSeconds(), 100 * r.testErr());
            }
        }
    }

    @Command(name = LayerResponses.NAME, mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Paper Fig. 7: std of each 3x3 layer's response (after BN, before addition/relu),"
                + " plain vs residual, in layer order and sorted."})
    static final class ResponsesCmd extends Base {
        @Option(names = "--depths", split = ",", description = "CIFAR depths (default ${DEFAULT-VALUE}).")
        List<Integer> depths = new ArrayList<>(List.of(20, 56));
        @Option(names = "--images", description = "Test images, spread evenly (default ${DEFAULT-VALUE}; 0 = all).")
        int images = 500;

        @Override String name() { return LayerResponses.NAME; }

        @Override void body(RunStore store, ExperimentOutput out) throws IOException {
            for (var r : LayerResponses.run(store, out, depths(depths), images)) {
                System.out.printf(Locale.ROOT, "%-10s mean response std %.4f over %d 3x3 layers%n", r.model(), r.mean(),
                        r.std().length);
            }
        }
    }

}
