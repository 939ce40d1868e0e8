package org.jresnet.io.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jresnet.api.Network;
import org.jresnet.io.SafeTensors;
import org.jresnet.io.SafeTensorsFile;
import org.jresnet.io.TensorData;
import org.jresnet.io.WeightFiles;
import org.jresnet.io.torch.TorchCheckpointException.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints written by Debian's torch (python/torch_checkpoints.py) load in pure Java, with the
 * architecture inferred from the keys, and give PyTorch's logits: max|jresnet - PyTorch| <=
 * {@value #TOL} x max|PyTorch| (PyTorch in float64 from the checkpoint's own values), top-5 equal
 * where the logits' margins exceed that tolerance. Hostile files are refused or stay inert: no file
 * appears in the marker folder the payloads would write to, and no process is started.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TorchCheckpointParityTest {
    static final double TOL = 1e-4;
    private Path dir, markers;
    private SafeTensorsFile reference;
    private final Map<String, String> measured = new LinkedHashMap<>();

    @BeforeAll void generate() throws IOException {
        dir = Files.createTempDirectory("jresnet-torch-ckpt");
        markers = Files.createDirectories(dir.resolve("markers"));
        TorchHelper.run(600, dir.toString(), markers.toString());
        reference = SafeTensors.read(dir.resolve("reference.safetensors"));
    }

    @AfterAll void cleanUp() throws IOException {
        measured.forEach((k, v) -> System.out.println("torch checkpoint " + k + ": " + v));
        if (dir == null) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) Files.deleteIfExists(p);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"r20_zip.pth", "r20_legacy.pth", "r20_nested_dp.pth.tar", "r20_nested_zip.pth.tar",
        "r20_cuda_legacy.th", "r20_cuda_zip.th", "r20_no_nbt.pth", "r20_no_nbt.safetensors", "r20_views.pth",
        "r20_views_legacy.pth", "r20_dtypes.pt", "r20b_zip.pth", "r50_zip.pth"})
    void loadsAndMatchesPyTorch(String name) throws IOException {
        String kind = name.substring(0, name.indexOf('.'));
        Network net = Network.load(dir.resolve(name));   // no --model: inferred from keys and shapes
        TensorData x = reference.get("input_" + kind), want = reference.get("logits_" + kind);
        int[] s = x.shape();
        float[] got = net.predict(x.floats(), s[2], s[3], Network.Layout.NCHW);
        float[] ref = want.floats();
        assertThat(got).hasSameSizeAs(ref);
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < ref.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
        }
        double rel = maxErr / maxRef;
        measured.put(name, String.format(Locale.ROOT, "%s, max|err|/max|logit| = %.2e", net.name(), rel));
        assertThat(rel).as(name).isLessThanOrEqualTo(TOL);
        int k = want.shape()[1];
        for (int n = 0; n < s[0]; n++) {
            int[] a = top5(got, n * k, k), b = top5(ref, n * k, k);
            if (separated(ref, n * k, k, TOL * maxRef)) assertThat(a).as(name + " top-5 of image " + n).containsExactly(b);
        }
        if (kind.startsWith("r20b")) assertThat(net.metadata().shortcut().name()).isEqualTo("B");
        if (kind.startsWith("r50")) assertThat(net.name()).isEqualTo("resnet50");
    }

    private static int[] top5(float[] v, int from, int k) {
        return java.util.stream.IntStream.range(0, k).boxed().sorted((i, j) -> Float.compare(v[from + j], v[from + i]))
                .limit(Math.min(5, k)).mapToInt(Integer::intValue).toArray();
    }

    /** True when each of the first six logits differs from the next by more than {@code margin}. */
    private static boolean separated(float[] v, int from, int k, double margin) {
        int[] order = java.util.stream.IntStream.range(0, k).boxed()
                .sorted((i, j) -> Float.compare(v[from + j], v[from + i])).mapToInt(Integer::intValue).toArray();
        for (int i = 0; i < Math.min(5, k - 1); i++) if (v[from + order[i]] - v[from + order[i + 1]] <= 2 * margin) return false;
        return true;
    }

    @Test void checkpointExtrasAreListedNotRead() throws IOException {
        WeightFiles.Read r = WeightFiles.read(dir.resolve("r20_nested_dp.pth.tar"), null);
        assertThat(r.source()).contains("legacy").contains("entry 'state_dict'");
        assertThat(r.otherEntries()).anyMatch(e -> e.startsWith("args: a pickled ") && e.contains("Namespace"))
                .anyMatch(e -> e.startsWith("best_prec1: a pickled numpy.core.multiarray.scalar"))
                .anyMatch(e -> e.startsWith("note: a pickled posix.system"))
                .anyMatch(e -> e.startsWith("epoch: int 200"));
        assertThat(WeightFiles.read(dir.resolve("r20_cuda_zip.th"), null).notes()).anyMatch(n -> n.contains("cuda:0"));
        assertThat(WeightFiles.read(dir.resolve("r20_nested_dp.pth.tar"), "state_dict").file().tensors())
                .containsKey("module.linear.weight");
        assertThatThrownBy(() -> WeightFiles.read(dir.resolve("r20_nested_dp.pth.tar"), "optimizer"))
                .isInstanceOf(TorchCheckpointException.class).hasMessageContaining("not a tensor");
    }

    record Refusal(String file, Fault fault, String message) {}

    static final List<Refusal> REFUSED = List.of(
            new Refusal("evil_os_system.pth", Fault.NO_STATE_DICT, "a pickled posix.system object"),
            new Refusal("evil_exec.pth", Fault.NO_STATE_DICT, "a pickled __builtin__.exec object"),   // protocol 2 names
            new Refusal("evil_placeholder_in_sd.pth", Fault.UNSAFE_GLOBAL, "'fc.weight' is a pickled posix.system"),
            new Refusal("evil_whole_module.pth", Fault.UNSAFE_GLOBAL, "entry 'model' is a pickled posix.system"),
            new Refusal("evil_plain_pickle.pkl", Fault.NOT_A_CHECKPOINT, "not a torch.save checkpoint"),
            new Refusal("torchscript.pt", Fault.UNSUPPORTED_FORMAT, "a TorchScript module, not a state dict"),
            new Refusal("old_tar.pth", Fault.UNSUPPORTED_FORMAT, "tar checkpoint format"));

    @Test void hostileFilesAreRefusedOrInertWithNoSideEffect() throws IOException {
        long children = ProcessHandle.current().children().count();
        for (Refusal r : REFUSED) {
            assertThatThrownBy(() -> TorchCheckpoints.read(dir.resolve(r.file()))).as(r.file())
                    .isInstanceOf(TorchCheckpointException.class).hasMessageContaining(r.message())
                    .satisfies(e -> {
                        System.out.println("refused " + e.getMessage());
                        assertThat(((TorchCheckpointException) e).fault()).isEqualTo(r.fault());
                    });
        }
        // Inert: the payload sits beside the state dict and is never reached.
        for (String inert : List.of("evil_eval.pth", "evil_popen_nested.pth")) {
            var c = TorchCheckpoints.read(dir.resolve(inert));
            assertThat(c.stateDict()).containsOnlyKeys("conv1.weight", "bn1.weight");
        }
        assertThat(TorchCheckpoints.read(dir.resolve("evil_eval.pth")).otherEntries())
                .anyMatch(e -> e.startsWith("x: a pickled __builtin__.eval object (inert placeholder, never called)"));
        try (Stream<Path> s = Files.list(markers)) {
            assertThat(s.collect(Collectors.toList())).as("files the payloads would have created").isEmpty();
        }
        assertThat(ProcessHandle.current().children().count()).as("processes started").isEqualTo(children);
    }

    @Test void storagePastTheFileIsRefused() throws IOException {
        byte[] all = Files.readAllBytes(dir.resolve("r20_legacy.pth"));
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 1000));
        assertThatThrownBy(() -> TorchCheckpoints.read(cut)).isInstanceOf(TorchCheckpointException.class)
                .hasMessageContaining("past the end").extracting(e -> ((TorchCheckpointException) e).fault())
                .isEqualTo(Fault.OUT_OF_BOUNDS);
    }

    /** Byte flips and truncations of a real zip checkpoint: each reads or fails with the one exception. */
    @Test void zipMutationsNeverEscapeTheContract() throws IOException {
        byte[] good = Files.readAllBytes(dir.resolve("evil_popen_nested.pth"));
        java.util.Random r = new java.util.Random(14);
        Path p = dir.resolve("mutant.pth");
        for (int i = 0; i < 600; i++) {
            byte[] m = i % 3 == 0 ? java.util.Arrays.copyOf(good, r.nextInt(good.length)) : good.clone();
            if (i % 3 != 0) m[r.nextInt(m.length)] = (byte) r.nextInt(256);
            Files.write(p, m);
            try {
                TorchCheckpoints.read(p);
            } catch (TorchCheckpointException e) {
                assertThat(e.getMessage()).doesNotContain("\n");
            }
        }
    }
}
