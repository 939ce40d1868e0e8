import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.jfree.chart.JFreeChart;
import org.jresnet.plot.Charts;

/**
 * Test error against wall time since launch, one line per run of bench/recipe/run (its
 * result.json files; ablation runs left out): jresnet solid, PyTorch dashed, the fast recipe bold,
 * the reference thin, and the target error as a grey dashed line. An estimated reference
 * (--estimate-reference: a full run's curve on this sitting's clock) is drawn without points, and
 * the short timing runs it was estimated from are left out. Drawn with the project's own
 * plot package, like every other chart of the repository.
 *
 *   java -cp target/jresnet.jar bench/recipe/Plot.java RESULTS OUT.png [TARGET_TOP1]
 */
public final class Plot {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: Plot RESULTS_DIR OUT.png [TARGET_TOP1]");
            System.exit(2);
        }
        Path results = Path.of(args[0]);
        if (!Files.isDirectory(results)) {
            System.err.println("no results folder " + results);
            System.exit(1);
        }
        double target = args.length > 2 ? Double.parseDouble(args[2]) : 0.852;
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> all = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(results)) {
            for (Path d : dirs.sorted().toList()) {
                Path f = d.resolve("result.json");
                if (Files.isRegularFile(f)) all.add(json.readTree(f.toFile()));
            }
        }
        List<JsonNode> runs = new ArrayList<>();
        for (JsonNode r : all) {
            String variant = r.path("variant").asText("");
            if (variant.equals("estimated")) {
                runs.add(r);
            } else if (variant.isEmpty() && !(isShort(r) && hasEstimate(all, r))) {
                runs.add(r);
            }
        }
        if (runs.isEmpty()) {
            System.err.println("no finished run outside the ablation (result.json without a variant) in " + results);
            System.exit(1);
        }
        List<Charts.Line> lines = new ArrayList<>();
        double maxMin = 0, maxErr = 0;
        for (JsonNode r : runs) {
            List<double[]> pts = new ArrayList<>();
            for (JsonNode row : r.get("rows")) {
                if (row.path("test_err").isNumber() && row.path("wall_s").isNumber()) {
                    pts.add(new double[] {row.get("wall_s").asDouble() / 60, 100 * row.get("test_err").asDouble()});
                }
            }
            double[] x = new double[pts.size()], y = new double[pts.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = pts.get(i)[0];
                y[i] = pts.get(i)[1];
                maxMin = Math.max(maxMin, x[i]);
                maxErr = Math.max(maxErr, y[i]);
            }
            boolean jresnet = r.get("side").asText().equals("jresnet");
            boolean fast = r.get("recipe").asText().equals("fast");
            boolean estimated = r.path("variant").asText("").equals("estimated");
            Color c = jresnet ? Charts.PALETTE[1] : Charts.PALETTE[0];
            if (!fast) c = c.brighter();
            String name = estimated
                    ? String.format(Locale.ROOT, "%s %s (estimated: its 30-epoch curve at this sitting's epoch times)",
                            jresnet ? "jresnet" : "PyTorch", r.get("recipe").asText())
                    : String.format(Locale.ROOT, "%s %s, seed %d", jresnet ? "jresnet" : "PyTorch",
                            r.get("recipe").asText(), r.get("seed").asInt());
            lines.add(new Charts.Line(name, x, y, c, fast ? Charts.BOLD : Charts.THIN, !jresnet, !estimated));
        }
        double err = 100 * (1 - target);
        lines.add(new Charts.Line(String.format(Locale.ROOT, "%.1f%% top-1", 100 * target), new double[] {0, maxMin},
                new double[] {err, err}, Color.GRAY, 1f, true, false));
        JFreeChart chart = Charts.lines("ResNet-20 on CIFAR-10 (JPEG): test error against wall time from a cold start",
                "minutes since launch", "test error (%)", false, lines, List.of());
        chart.getXYPlot().getRangeAxis().setRange(0, Math.min(100, Math.ceil(maxErr / 5) * 5 + 5));
        Charts.writePng(Path.of(args[1]), chart, 1000, 620);
    }

    /** A main run cut short by --epochs (run.py's is_short). */
    private static boolean isShort(JsonNode r) {
        return r.path("epochs_override").asInt(0) > 0 || r.path("name").asText().matches(".*-e\\d+-s\\d+");
    }

    private static boolean hasEstimate(List<JsonNode> all, JsonNode r) {
        for (JsonNode e : all) {
            if (e.path("variant").asText("").equals("estimated") && e.path("side").equals(r.path("side"))
                    && e.path("recipe").equals(r.path("recipe"))) return true;
        }
        return false;
    }
}
