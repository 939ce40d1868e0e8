package org.jresnet.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jresnet.plot.Charts;
import org.jresnet.io.AtomicFiles;

/**
 * The folder of one experiment, {@code DIR/NAME/}: {@code results.csv}, plots, {@code summary.md}
 * and {@code summary.json}. Every file is written atomically, so a report never reads half a file.
 */
public final class ExperimentOutput {
    public static final String RESULTS = "results.csv";
    public static final String SUMMARY_MD = "summary.md";
    public static final String SUMMARY_JSON = "summary.json";
    static final int PLOT_WIDTH = 1000;
    static final int PLOT_HEIGHT = 620;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;

    /** Made on the first write: an experiment refused for its arguments leaves no empty folder behind. */
    public ExperimentOutput(Path dir) {
        this.dir = dir;
    }

    public Path dir() { return dir; }

    private Path file(String name) throws IOException {
        Files.createDirectories(dir);
        return dir.resolve(name);
    }

    /** A CSV file: header, then rows; doubles with 6 significant digits, NaN as empty. */
    public void csv(String name, List<String> header, List<List<Object>> rows) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (List<Object> r : rows) {
            if (r.size() != header.size()) {
                throw new IllegalStateException(name + ": row of " + r.size() + " values for " + header.size() + " columns");
            }
            for (int i = 0; i < r.size(); i++) {
                if (i > 0) sb.append(',');
                sb.append(cell(r.get(i)));
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file(name), sb.toString());
    }

    private static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Double d) return d.isNaN() ? "" : String.format(Locale.ROOT, "%.6g", d);
        if (v instanceof Float f) return f.isNaN() ? "" : String.format(Locale.ROOT, "%.6g", f);
        String s = v.toString();
        return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    public void png(String name, JFreeChart chart) throws IOException {
        Charts.writePng(file(name), chart, PLOT_WIDTH, PLOT_HEIGHT);
    }

    public void summary(String markdown, Map<String, Object> json) throws IOException {
        AtomicFiles.writeString(file(SUMMARY_MD), markdown);
        AtomicFiles.writeString(dir.resolve(SUMMARY_JSON), JSON.writeValueAsString(json) + "\n");
    }

    /** A percentage for summaries: 0.1234 -> "12.34%". */
    static String pct(double fraction) { return String.format(Locale.ROOT, "%.2f%%", 100 * fraction); }
}
