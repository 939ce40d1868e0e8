package org.jresnet.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jresnet.plot.Charts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.data.category.DefaultCategoryDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir Path tmp;

    private void experiment(String name, String md) throws Exception {
        ExperimentOutput o = new ExperimentOutput(tmp.resolve(name));
        o.csv("results.csv", List.of("a", "b"), List.of(List.of(1, 0.5)));
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        d.addValue(1.0, "s", "c");
        o.png("plot.png", Charts.bars("t", "x", "y", d));
        o.png("extra.png", Charts.bars("t", "x", "y", d));
        o.summary(md, Map.of("experiment", name));
    }

    @Test void collectsExperimentsInThePapersOrderWithEmbeddedImages() throws Exception {
        experiment("lesion", "# Lesion\n\nText with `code` and **bold**.\n\n| k | err |\n|---|---|\n| 1 | a\\|b |\n\n![p](plot.png)\n");
        experiment("degradation", "# Degradation\n\n- one\n- two\n");
        Files.createDirectories(tmp.resolve("runs/resnet20-x"));
        Report.Written w = Report.write(tmp);
        assertThat(w.experiments()).extracting(p -> p.getFileName().toString()).containsExactly("degradation", "lesion");
        String html = Files.readString(w.html());
        assertThat(html.indexOf("<section id=\"degradation\">")).isLessThan(html.indexOf("<section id=\"lesion\">"));
        assertThat(html).contains("<h2>Lesion</h2>", "<code>code</code>", "<strong>bold</strong>", "<th>k</th>",
                "<td>a|b</td>", "<li>one</li>", "<a href=\"lesion/results.csv\">");
        // plot.png referenced once per experiment where the summary names it, extra.png appended: all embedded.
        assertThat(html.split("data:image/png;base64,", -1)).hasSize(1 + 4);
        String md = Files.readString(w.markdown());
        assertThat(md).contains("## Lesion", "![p](lesion/plot.png)", "](degradation/extra.png)", "[results.csv](lesion/results.csv)");
    }

    @Test void aMissingFigureIsSaidAndAForeignSummaryNamed() throws Exception {
        experiment("lesion", "# Lesion\n\n![single blocks](lesion-single.png)\n");
        Report.Written w = Report.write(tmp);
        assertThat(w.missingImages()).containsExactly(tmp.resolve("lesion/lesion-single.png"));
        assertThat(Files.readString(w.html())).contains("<em>figure missing: single blocks (lesion-single.png)</em>")
                .doesNotContain("src=\"lesion-single.png\"");
        Files.write(tmp.resolve("lesion").resolve(ExperimentOutput.SUMMARY_MD), new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
        assertThatThrownBy(() -> Report.write(tmp)).isInstanceOf(java.io.IOException.class)
                .hasMessage(tmp.resolve("lesion").resolve(ExperimentOutput.SUMMARY_MD) + " is not UTF-8 text (not written by jresnet"
                        + " experiment?)");
    }

    /** A folder with an experiment's data but no summary (stopped before it finished) is said, not silently left out. */
    @Test void aHalfFinishedExperimentIsSaidToBeSkipped() throws Exception {
        Files.writeString(Files.createDirectories(tmp.resolve("responses")).resolve("results.csv"), "model,layer\n");
        Files.createDirectories(tmp.resolve("runs/resnet20-x"));
        Files.createDirectories(tmp.resolve("notes"));
        assertThatThrownBy(() -> Report.write(tmp)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no finished experiments under").hasMessageContaining("skipped " + tmp.resolve("responses")
                        + ": no summary.md and summary.json");
        experiment("lesion", "# Lesion\n");
        Report.Written w = Report.write(tmp);
        assertThat(w.experiments()).containsExactly(tmp.resolve("lesion"));
        assertThat(w.skipped()).containsExactly(tmp.resolve("responses") + ": no summary.md and summary.json (an experiment that"
                + " stopped before it finished?)");
    }

    @Test void noExperimentIsAClearError() {
        assertThatThrownBy(() -> Report.write(tmp)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no finished experiments under");
    }

    @Test void escapedPipesStayInTheirCell() {
        assertThat(MarkdownHtml.cells("| a | b \\| c | d |")).containsExactly("a", "b | c", "d");
    }
}
