package org.jresnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.TensorData;
import org.jresnet.models.ResNet;
import org.jresnet.train.LrSchedule;
import org.jresnet.train.ProgressReporter;
import org.jresnet.train.RunFiles;
import org.jresnet.train.TrainConfig;
import org.jresnet.train.TrainingRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --recipe}: what a recipe sets, that explicit options win, and that its runs resume exactly. */
class TrainRecipeTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll static void data() throws Exception {
        data = TinyImageFolder.write(tmp, 8, 3, 8);
    }

    private static TrainConfig parse(String... args) { return TrainArgs.parse(args).config(); }

    @Test void fastIsTheReferenceShortenedWithTestViews() {
        TrainConfig c = parse("--recipe", "fast");
        TrainConfig same = parse("--recipe", "reference", "--epochs", "18", "--tta-flip", "--tta-translate",
                "--test-every", "18");
        assertThat(c).isEqualTo(same);
        assertThat(c.model().name()).isEqualTo("resnet20");
        assertThat(c.run().epochs()).isEqualTo(18);
        assertThat(c.run().batch()).isEqualTo(128);
        assertThat(c.run().testEvery()).as("one test pass, after the last epoch").isEqualTo(18);
        assertThat(c.data().testViews()).isEqualTo(new org.jresnet.train.TestViews(true, true));
        assertThat(c.data().testViews().count()).isEqualTo(6);
        assertThat(c.data().cropEpochs()).as("full-size crops throughout").isZero();
        assertThat(c.schedule().kind()).isEqualTo(LrSchedule.Kind.COSINE);
        assertThat(c.schedule().lr()).isEqualTo(0.1);
        assertThat(c.schedule().warmup()).isEqualTo(TrainCommand.DEFAULT_WARMUP);
        assertThat(c.optimizer().nesterov()).isFalse();
        assertThat(c.optimizer().labelSmoothing()).isZero();
        assertThat(c.optimizer().weightDecay()).isEqualTo(1e-4);
        assertThat(c.model().zeroInitResidual()).isFalse();
    }

    @Test void onecycleSetsEveryIngredient() {
        TrainConfig c = parse("--recipe", "onecycle");
        assertThat(c.model().name()).isEqualTo("resnet20");
        assertThat(c.model().zeroInitResidual()).isTrue();
        assertThat(c.data().ttaFlip()).isTrue();
        assertThat(c.optimizer().nesterov()).isTrue();
        assertThat(c.optimizer().labelSmoothing()).isEqualTo(0.1);
        assertThat(c.optimizer().weightDecay()).isEqualTo(5e-4);
        assertThat(c.schedule().kind()).isEqualTo(LrSchedule.Kind.ONECYCLE);
        assertThat(c.schedule().lr()).isEqualTo(0.4);
        assertThat(c.schedule().warmup()).as("onecycle has its own warm-up").isZero();
        assertThat(c.schedule().oneCycle()).isEqualTo(new TrainConfig.OneCycle(0.25, 25, 1e4, false));
        assertThat(c.run().epochs()).isEqualTo(13);
        assertThat(c.run().batch()).isEqualTo(256);
        assertThat(c.run().testEvery()).isEqualTo(1);
    }

    @Test void explicitOptionsOverrideTheRecipe() {
        TrainConfig c = parse("--recipe", "onecycle", "--batch", "64", "--no-tta-flip", "--schedule", "cosine",
                "--label-smoothing", "0", "--no-zero-init-residual", "--epochs", "3");
        assertThat(c.run().batch()).isEqualTo(64);
        assertThat(c.run().epochs()).isEqualTo(3);
        assertThat(c.data().ttaFlip()).isFalse();
        assertThat(c.model().zeroInitResidual()).isFalse();
        assertThat(c.optimizer().labelSmoothing()).isZero();
        assertThat(c.schedule().kind()).isEqualTo(LrSchedule.Kind.COSINE);
        assertThat(c.schedule().oneCycle()).as("the recipe's one-cycle shape is dropped with its schedule").isNull();
        assertThat(c.schedule().warmup()).as("cosine's own default warm-up").isEqualTo(TrainCommand.DEFAULT_WARMUP);
        // what was not overridden stays the recipe's
        assertThat(c.schedule().lr()).isEqualTo(0.4);
        assertThat(c.optimizer().nesterov()).isTrue();
        assertThat(c.optimizer().weightDecay()).isEqualTo(5e-4);
    }

    @Test void referenceIsTheReadmesCommand() {
        TrainConfig c = parse("--recipe", "reference");
        TrainConfig readme = parse("--model", "resnet20", "--epochs", "30", "--batch", "128", "--lr", "0.1",
                "--momentum", "0.9", "--weight-decay", "1e-4", "--schedule", "cosine", "--warmup", "200");
        assertThat(c).isEqualTo(readme);
        assertThat(c.run().epochs()).isEqualTo(30);
        assertThat(c.schedule().warmup()).isEqualTo(200);
        assertThat(parse().run().epochs()).as("no recipe: the command's own defaults").isEqualTo(15);
        TrainConfig oneCycle = parse("--recipe", "reference", "--schedule", "onecycle");
        assertThat(oneCycle.schedule().warmup()).as("one-cycle added to the reference: its own warm-up only").isZero();
        assertThat(oneCycle.schedule().lr()).isEqualTo(0.1);
    }

    private static void assertUsageError(String fragment, String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--out", tmp.resolve("rejected").toString()));
        all.addAll(List.of(args));
        CliRun r = CliRun.of(all.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("jresnet: ").contains(fragment);
        assertThat(Files.exists(tmp.resolve("rejected"))).isFalse();
    }

    @Test void badRecipeOptionsAreUsageErrors() {
        assertUsageError("unknown --recipe 'faster' (valid: fast, onecycle, reference)", "--recipe", "faster");
        assertUsageError("--pct-start applies only to --schedule onecycle", "--pct-start", "0.2");
        assertUsageError("--warmup does not apply to onecycle", "--schedule", "onecycle", "--warmup", "100");
        assertUsageError("--label-smoothing must be in [0, 1)", "--label-smoothing", "1");
        assertUsageError("--anneal-strategy must be cos or linear", "--schedule", "onecycle", "--anneal-strategy", "exp");
        assertUsageError("--test-every must be >= 1", "--test-every", "0");
        assertUsageError("--div-factor must be finite and >= 1", "--recipe", "onecycle", "--div-factor", "0.5");
        assertUsageError("--div-factor applies only to --schedule onecycle", "--recipe", "fast", "--div-factor", "5");
        CliRun r = CliRun.of("train", "--resume", tmp.resolve("none").toString(), "--recipe", "fast");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--recipe cannot be combined with --resume");
    }

    @Test void helpListsTheRecipes() {
        String help = CliRun.of("train", "--help").out().replaceAll("\\s+", " ");
        assertThat(help).contains("--recipe", "--label-smoothing", "--[no-]tta-flip", "--pct-start",
                "fast " + TrainRecipes.FAST, "onecycle " + TrainRecipes.ONECYCLE, "reference " + TrainRecipes.REFERENCE);
    }

    /**
     * The one-cycle recipe's ingredients (one-cycle, label smoothing, zero-init, flip, test every 2nd
     * epoch) on tiny data: the checkpoint stores them, the epochs without a test pass have no test
     * figures, and a run resumed from its epoch-1 checkpoint ends with the uninterrupted run's weights.
     */
    @Test void aOneCycleRunStoresItsIngredientsAndResumesBitIdentically() throws Exception {
        Path whole = tmp.resolve("whole"), copy = tmp.resolve("copy");
        TrainConfig cfg = parse("--recipe", "onecycle", "--data", data.toString(), "--batch", "8", "--epochs", "3",
                "--test-every", "2", "--cache-dir", tmp.resolve("cache").toString(), "--out", whole.toString());
        ProgressReporter quiet = new ProgressReporter(ProgressReporter.Mode.QUIET);
        TrainingRun.Data d = TrainingRun.Data.open(cfg, true);
        FolderAtEpoch atEpoch1 = new FolderAtEpoch(1, whole, copy);
        TrainingRun.Outcome o = TrainingRun.start(cfg, d, quiet, atEpoch1);
        assertThat(o.complete()).isTrue();
        assertThat(atEpoch1.copied).containsExactly(3L);

        RunFiles.Resumed r = RunFiles.readCheckpoint(copy);
        assertThat(r.config()).isEqualTo(cfg);
        String stored = SafeTensors.read(copy.resolve("checkpoint.safetensors")).metadata().get(RunFiles.CONFIG_KEY);
        JsonNode j = new ObjectMapper().readTree(stored);
        assertThat(j.get("schedule").asText()).isEqualTo("onecycle");
        assertThat(j.get("labelSmoothing").asDouble()).isEqualTo(0.1);
        assertThat(j.get("ttaFlip").asBoolean()).isTrue();
        assertThat(j.get("testEvery").asInt()).isEqualTo(2);
        assertThat(j.get("zeroInitResidual").asBoolean()).isTrue();
        assertThat(j.get("pctStart").asDouble()).isEqualTo(0.25);
        assertThat(j.get("annealStrategy").asText()).isEqualTo("cos");

        TrainingRun.Outcome resumed = TrainingRun.resume(copy, r, TrainingRun.Data.open(r.config(), true), quiet, null);
        assertThat(resumed.complete()).isTrue();
        SafeTensorsFile want = SafeTensors.read(whole.resolve("model.safetensors"));
        SafeTensorsFile got = SafeTensors.read(copy.resolve("model.safetensors"));
        assertThat(got.tensors().keySet()).containsExactlyElementsOf(want.tensors().keySet());
        for (String k : want.tensors().keySet()) {
            TensorData w = want.get(k), g = got.get(k);
            assertThat(g.floats()).as(k).isEqualTo(w.floats());
        }

        List<String> rows = Files.readAllLines(whole.resolve("metrics.jsonl"));
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).doesNotContain("test_err");
        assertThat(rows.get(1)).contains("test_err");
        assertThat(rows.get(2)).as("the last epoch always tests").contains("test_err");
        // The last test pass flipped: its loss is that of the mean logits of each image and its mirror.
        var evalT = org.jresnet.train.Preprocessing.evaluation(d.test(), d.norm(), 8);
        int[] all = org.jresnet.data.BatchLoader.all(d.test());
        double lastTestLoss = new ObjectMapper().readTree(rows.get(2)).get("test_loss").asDouble();
        assertThat(org.jresnet.train.Evaluation.run(o.model(), d.test(), all, evalT, 8, true).loss()).isEqualTo(lastTestLoss);
        assertThat(org.jresnet.train.Evaluation.run(o.model(), d.test(), all, evalT, 8, false).loss()).isNotEqualTo(lastTestLoss);

        // The same run on the plain loss: the smoothing reaches the trainer's step (it changes the first loss).
        Path plainOut = tmp.resolve("plain");
        TrainConfig plainCfg = parse("--recipe", "onecycle", "--data", data.toString(), "--batch", "8", "--epochs", "3",
                "--test-every", "2", "--cache-dir", tmp.resolve("cache").toString(), "--out", plainOut.toString(),
                "--label-smoothing", "0");
        TrainingRun.start(plainCfg, TrainingRun.Data.open(plainCfg, true), quiet, null);
        ObjectMapper om = new ObjectMapper();
        double smoothed = om.readTree(rows.get(0)).get("train_loss").asDouble();
        double plainLoss = om.readTree(Files.readAllLines(plainOut.resolve("metrics.jsonl")).get(0)).get("train_loss").asDouble();
        assertThat(smoothed).isNotEqualTo(plainLoss);

        List<String> again = Files.readAllLines(copy.resolve("metrics.jsonl"));
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 3; i++) {
            JsonNode w = json.readTree(rows.get(i)), g = json.readTree(again.get(i));
            for (String f : new String[] {"train_loss", "train_err", "test_loss", "test_err", "lr"}) {
                assertThat(g.get(f)).as("row %d %s", i + 1, f).isEqualTo(w.get(f));
            }
        }
    }

    /**
     * The fast recipe skips test passes (--test-every 6) and claims the same training as testing
     * every epoch: a test pass runs in eval mode on its own batches, so it must leave the weights,
     * BN's running statistics and the augmentation's random stream as they were.
     */
    @Test void testPassesDoNotChangeTheTraining() throws Exception {
        List<SafeTensorsFile> models = new ArrayList<>();
        List<List<String>> losses = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String every : new String[] {"1", "3"}) {
            Path out = tmp.resolve("every" + every);
            TrainConfig cfg = parse("--recipe", "fast", "--data", data.toString(), "--batch", "8", "--epochs", "3",
                    "--test-every", every, "--cache-dir", tmp.resolve("cache").toString(), "--out", out.toString());
            TrainingRun.start(cfg, TrainingRun.Data.open(cfg, true), new ProgressReporter(ProgressReporter.Mode.QUIET), null);
            models.add(SafeTensors.read(out.resolve("model.safetensors")));
            List<String> l = new ArrayList<>();
            for (String row : Files.readAllLines(out.resolve("metrics.jsonl"))) {
                JsonNode j = json.readTree(row);
                if (j.has("train_loss")) l.add(j.get("train_loss").asText() + " " + j.get("train_err").asText());
            }
            losses.add(l);
        }
        assertThat(losses.get(1)).hasSize(3).isEqualTo(losses.get(0));
        SafeTensorsFile every1 = models.get(0), every3 = models.get(1);
        assertThat(every3.tensors().keySet()).containsExactlyElementsOf(every1.tensors().keySet());
        for (String k : every1.tensors().keySet()) {
            TensorData a = every1.get(k), b = every3.get(k);
            assertThat(b.floats()).as(k).isEqualTo(a.floats());
            assertThat(b.longs()).as(k).isEqualTo(a.longs());
        }
    }

    /**
     * --init from a jresnet file of the v1 variant builds a v1 net (stride on the first 1x1): the
     * shapes fit a v1.5 net as well, which would silently be another network.
     */
    @Test void initFromAV1FileFineTunesAV1Net() throws Exception {
        var v1 = org.jresnet.models.ModelConfig.of("resnet50").withNumClasses(10).withStrideOn3x3(false);
        Path file = tmp.resolve("r50-v1.safetensors");
        ResNet src = org.jresnet.models.Models.createUninitialized(v1);
        org.jresnet.io.ModelFiles.save(file, src, org.jresnet.io.ModelMetadata.defaults(v1));
        ResNet net = TrainingRun.buildModel(parse("--model", "resnet50", "--init", file.toString()), 10);
        assertThat(net.config.strideOn3x3()).isFalse();
        assertThat(TrainingRun.buildModel(parse("--model", "resnet50"), 10).config.strideOn3x3()).isTrue();
    }

    /**
     * --init's weights are fine-tuned on images normalised as they were trained: the file's
     * recorded normalisation, ImageNet's (as eval and predict read it) for a file without metadata,
     * --mean/--std when given; without --init the training split's statistics (null here).
     */
    @Test void initSetsTheNormalisation() throws Exception {
        var cfg = org.jresnet.models.ModelConfig.of("resnet20");
        ResNet src = org.jresnet.models.Models.createUninitialized(cfg);
        var own = new org.jresnet.io.Normalization(new double[] {0.1, 0.2, 0.3}, new double[] {0.4, 0.5, 0.6});
        Path tagged = tmp.resolve("tagged.safetensors");
        org.jresnet.io.ModelFiles.save(tagged, src, org.jresnet.io.ModelMetadata.defaults(cfg).withNormalization(own));
        assertThat(parse("--init", tagged.toString()).data().normalization()).isEqualTo(own.toFloat32());

        var r18 = org.jresnet.models.ModelConfig.of("resnet18").withNumClasses(10);
        Path raw = tmp.resolve("raw-r18.safetensors");
        SafeTensors.write(raw, org.jresnet.io.ModelFiles.stateDict(org.jresnet.models.Models.createUninitialized(r18)),
                java.util.Map.of());
        assertThat(parse("--model", "resnet18", "--init", raw.toString()).data().normalization())
                .isEqualTo(org.jresnet.io.Normalization.IMAGENET.toFloat32());

        assertThat(parse("--init", tagged.toString(), "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25")
                .data().normalization()).isEqualTo(new org.jresnet.io.Normalization(new double[] {0.5, 0.5, 0.5},
                new double[] {0.25, 0.25, 0.25}));
        assertThat(parse().data().normalization()).isNull();
        assertThatThrownBy(() -> parse("--init", tmp.resolve("missing.safetensors").toString()))
                .hasMessageStartingWith("--init no such file: ");
    }

    /**
     * --variant builds the paper's v1 ResNet-50 from scratch, reads a file without metadata as that
     * variant, and may not contradict a jresnet file's own.
     */
    @Test void variantChoosesWhereABottleneckStrides() throws Exception {
        assertThat(TrainingRun.buildModel(parse("--model", "resnet50", "--variant", "v1"), 10).config.strideOn3x3()).isFalse();
        assertThat(TrainingRun.buildModel(parse("--model", "resnet50", "--variant", "v1.5"), 10).config.strideOn3x3()).isTrue();

        var v1 = org.jresnet.models.ModelConfig.of("resnet50").withNumClasses(10).withStrideOn3x3(false);
        ResNet src = org.jresnet.models.Models.createUninitialized(v1);
        Path raw = tmp.resolve("raw-r50-v1.safetensors");
        SafeTensors.write(raw, org.jresnet.io.ModelFiles.stateDict(src), java.util.Map.of());
        ResNet net = TrainingRun.buildModel(parse("--model", "resnet50", "--init", raw.toString(), "--variant", "v1"), 10);
        assertThat(net.config.strideOn3x3()).isFalse();
        assertThat(TrainingRun.buildModel(parse("--model", "resnet50", "--init", raw.toString()), 10).config.strideOn3x3())
                .as("a file without metadata: v1.5 unless told").isTrue();

        Path tagged = tmp.resolve("tagged-r50-v1.safetensors");
        org.jresnet.io.ModelFiles.save(tagged, src, org.jresnet.io.ModelMetadata.defaults(v1));
        assertThatThrownBy(() -> TrainingRun.buildModel(parse("--model", "resnet50", "--init", tagged.toString(),
                "--variant", "v1.5"), 10)).hasMessageEndingWith("holds a resnet50 of variant v1; --variant v1.5 would be another network");
        assertThatThrownBy(() -> parse("--model", "resnet20", "--variant", "v1"))
                .hasMessageContaining("v1 places a bottleneck's stride; resnet20 has basic blocks");
        assertThatThrownBy(() -> parse("--model", "resnet50", "--variant", "2")).hasMessageContaining("must be v1.5 or v1");
    }

    @Test void zeroInitResidualReachesTheModel() throws Exception {
        ResNet zero = TrainingRun.buildModel(parse("--zero-init-residual"), 10);
        ResNet plain = TrainingRun.buildModel(parse(), 10);
        int blocks = 0;
        for (var e : zero.parameters().entrySet()) {
            String k = e.getKey();
            if (k.matches("layer\\d\\.\\d+\\.bn2\\.weight")) {
                blocks++;
                assertThat(e.getValue().value().toArray()).as(k).containsOnly(0f);
                assertThat(plain.parameters().get(k).value().toArray()).as(k).containsOnly(1f);
            } else if (k.endsWith("bn1.weight")) {
                assertThat(e.getValue().value().toArray()).as(k).containsOnly(1f);
            }
        }
        assertThat(blocks).as("ResNet-20's nine residual branches").isEqualTo(9);
    }
}
