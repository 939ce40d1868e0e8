package org.jresnet.experiments;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jresnet.io.AtomicFiles;

/**
 * Collects every experiment under a folder (each {@code NAME/} holding a {@code summary.md} and
 * {@code summary.json}) into {@code report.html} — one self-contained page, images embedded as
 * base64 — and {@code report.md}, which links the images where they are.
 */
public final class Report {
    public static final String HTML = "report.html";
    public static final String MARKDOWN = "report.md";
    /** The paper's order; other experiments follow by name. */
    private static final List<String> ORDER = List.of(Degradation.NAME, GradientFlow.NAME, Lesion.NAME,
            ShortcutOptions.NAME, LayerResponses.NAME);
    private static final Pattern IMAGE = Pattern.compile("!\\[([^\\]]*)\\]\\(([^)]+)\\)");
    /** An image or link to a file of the experiment's folder (report.md lives one level up). */
    private static final Pattern LOCAL_LINK = Pattern.compile("(!?\\[[^\\]]*\\]\\()([^)/:]+)\\)");

    /**
     * {@code missingImages}: figures a summary names that are not in its folder or cannot be read
     * (left out, said); {@code skipped}: folders that look like an experiment's but are not in the
     * report, each with why (unreadable, or no summary: stopped before it finished).
     */
    public record Written(Path html, Path markdown, List<Path> experiments, List<Path> missingImages, List<String> skipped) {}

    private Report() {}

    /** Experiment folders under {@code root} (and {@code root} itself if it is one), in the paper's order. */
    public static List<Path> find(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException((Files.exists(root) ? "not a folder: " : "no such folder: ") + root);
        }
        List<Path> out = new ArrayList<>();
        if (isExperiment(root)) out.add(root);
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory).filter(Report::isExperiment).forEach(out::add);
        }
        out.sort(Comparator.comparingInt((Path p) -> {
            int i = ORDER.indexOf(p.getFileName().toString());
            return i < 0 ? ORDER.size() : i;
        }).thenComparing(p -> p.getFileName().toString()));
        return out;
    }

    private static boolean isExperiment(Path dir) {
        return Files.isRegularFile(dir.resolve(ExperimentOutput.SUMMARY_MD))
                && Files.isRegularFile(dir.resolve(ExperimentOutput.SUMMARY_JSON));
    }

    /**
     * Folders under {@code root} that are not finished experiments but look like one's output (a
     * results.csv, a plot, half a summary), or that cannot be read: "DIR: why" each. Hidden
     * folders and the shared runs/ are not experiments.
     */
    static List<String> skipped(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path d : dirs) {
            String name = d.getFileName().toString();
            if (name.startsWith(".") || name.equals("runs") || isExperiment(d)) continue;
            if (!Files.isReadable(d) || !Files.isExecutable(d)) {
                out.add(d + ": cannot be read (permission denied)");
                continue;
            }
            boolean partial;
            try (Stream<Path> s = Files.list(d)) {
                partial = s.map(p -> p.getFileName().toString()).anyMatch(f -> f.equals(ExperimentOutput.SUMMARY_MD)
                        || f.equals(ExperimentOutput.SUMMARY_JSON) || f.endsWith(".csv") || f.endsWith(".png"));
            } catch (IOException e) {
                out.add(d + ": cannot be read (" + e.getClass().getSimpleName() + ")");
                continue;
            }
            if (partial) out.add(d + ": no " + ExperimentOutput.SUMMARY_MD + " and " + ExperimentOutput.SUMMARY_JSON
                    + " (an experiment that stopped before it finished?)");
        }
        return out;
    }

    public static Written write(Path root) throws IOException {
        List<Path> exps = find(root);
        List<String> skipped = skipped(root);
        if (exps.isEmpty()) {
            throw new IllegalArgumentException("no finished experiments under " + root + " (looked for */" + ExperimentOutput.SUMMARY_JSON
                    + ")" + (skipped.isEmpty() ? "; run 'jresnet experiment NAME --out " + root + "' first"
                    : "; skipped " + String.join("; ", skipped)));
        }
        StringBuilder md = new StringBuilder("# jresnet experiments\n\n");
        StringBuilder body = new StringBuilder();
        StringBuilder toc = new StringBuilder("<ul>\n");
        List<Path> missing = new ArrayList<>();
        for (Path dir : exps) {
            String name = dir.getFileName().toString();
            String rel = root.relativize(dir).toString();
            String prefix = rel.isEmpty() ? "" : rel + "/";
            Path summary = dir.resolve(ExperimentOutput.SUMMARY_MD);
            String text;
            try {
                text = Files.readString(summary, StandardCharsets.UTF_8);
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new IOException(summary + " is not UTF-8 text (not written by jresnet experiment?)");
            }
            Set<String> referenced = new LinkedHashSet<>();
            Matcher m = IMAGE.matcher(text);
            while (m.find()) referenced.add(m.group(2));
            List<String> extra = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".png") && !referenced.contains(f)).sorted()
                        .forEach(extra::add);
            }
            StringBuilder section = new StringBuilder(text.strip()).append("\n\n");
            for (String f : extra) section.append("![").append(f).append("](").append(f).append(")\n\n");
            List<String> csvs = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".csv")).sorted().forEach(csvs::add);
            }
            StringBuilder files = new StringBuilder("Data: ");
            for (String c : csvs) files.append('[').append(c).append("](").append(c).append(") ");
            section.append(files.toString().strip()).append('\n');
            String sectionText = demoteHeadings(section.toString());
            md.append(LOCAL_LINK.matcher(sectionText).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + prefix
                    + r.group(2) + ")"))).append('\n');
            toc.append("<li><a href=\"#").append(escape(name)).append("\">").append(escape(name)).append("</a></li>\n");
            body.append("<section id=\"").append(escape(name)).append("\">\n")
                    .append(MarkdownHtml.render(sectionText, dir, prefix, missing::add)).append("</section>\n");
        }
        toc.append("</ul>\n");
        String html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>jresnet experiments</title>\n"
                + "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;"
                + "line-height:1.45}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
                + "text-align:left}th{background:#f3f3f3}img{max-width:100%;border:1px solid #eee;margin:.5em 0}"
                + "code{background:#f4f4f4;padding:0 .2em}section{border-top:2px solid #ddd;margin-top:2em}</style>\n"
                + "</head><body>\n<h1>jresnet experiments</h1>\n<p>Collected from <code>" + escape(root.toString())
                + "</code>.</p>\n" + toc + body + "</body></html>\n";
        Path htmlFile = root.resolve(HTML), mdFile = root.resolve(MARKDOWN);
        AtomicFiles.writeString(htmlFile, html);
        AtomicFiles.writeString(mdFile, md.toString());
        return new Written(htmlFile, mdFile, exps, List.copyOf(missing), skipped);
    }

    /** Each experiment's "# Title" becomes "## Title" under the report's own title. */
    private static String demoteHeadings(String md) {
        StringBuilder sb = new StringBuilder();
        for (String line : md.split("\n", -1)) sb.append(line.startsWith("#") ? "#" + line : line).append('\n');
        return sb.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The bytes of an image as a data URI. */
    static String dataUri(Path png) throws IOException {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png));
    }
}
